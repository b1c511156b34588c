/*
 * events.c - the JSON event of a detection (see events.h): which ECS
 * fields it fills and how spanwatch's own are laid out under "spanwatch".
 * No allocation when j is a fixed buffer: the sensor calls it on its
 * alert thread.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "events.h"

const char *sw_ev_transport(const char *proto)
{
	if (proto && !strcmp(proto, "icmp6"))
		return "ipv6-icmp";
	return proto;
}

void sw_ev_observer(struct sw_json *j, const char *name)
{
	sw_json_obj(j, "observer");
	if (name)
		sw_json_str(j, "name", name);
	sw_json_str(j, "type", "ids");
	sw_json_str(j, "product", "spanwatch");
	sw_json_str(j, "version", PACKAGE_VERSION);
	sw_json_end(j);
}

void sw_ev_detection(struct sw_json *j, enum sw_ev_action a, const struct sw_ev_det *d)
{
	static const char *const action[] = {
		[SW_EV_OPENED] = "detection-opened",
		[SW_EV_CLOSED] = "detection-closed",
		[SW_EV_STORED] = "detection",
	};
	static const char *const type[] = {
		[SW_EV_OPENED] = "start", [SW_EV_CLOSED] = "end", [SW_EV_STORED] = "info",
	};
	int64_t ts = a == SW_EV_CLOSED && d->closed ? d->closed_at : d->detected_at;
	char sig[20];

	sw_json_reset(j);
	sw_json_obj(j, NULL);
	sw_json_time(j, "@timestamp", ts);

	sw_json_obj(j, "event");
	sw_json_str(j, "kind", "alert");
	sw_json_arr(j, "category");
	sw_json_str(j, NULL, "network");
	sw_json_str(j, NULL, "intrusion_detection");
	sw_json_end(j);
	sw_json_arr(j, "type");
	sw_json_str(j, NULL, type[a]);
	sw_json_end(j);
	sw_json_str(j, "action", action[a]);
	sw_json_str(j, "dataset", "spanwatch.detection");
	sw_json_str(j, "module", "spanwatch");
	sw_json_time(j, "start", d->first_seen);
	sw_json_time(j, "end", d->last_seen);
	sw_json_end(j);

	sw_json_obj(j, "rule");
	sw_json_str(j, "name", d->kind);
	sw_json_end(j);

	sw_json_obj(j, "source");
	sw_json_str(j, "ip", d->src);
	sw_json_end(j);
	if (d->dst || d->dport >= 0) {
		sw_json_obj(j, "destination");
		if (d->dst)
			sw_json_str(j, "ip", d->dst);
		if (d->dport >= 0)
			sw_json_int(j, "port", d->dport);
		sw_json_end(j);
	}
	if (d->proto) {
		sw_json_obj(j, "network");
		sw_json_str(j, "transport", sw_ev_transport(d->proto));
		sw_json_end(j);
	}
	sw_ev_observer(j, d->sensor);

	sw_json_obj(j, "spanwatch");
	sw_json_int(j, "format", SW_EVENTS_FORMAT);
	sw_json_int(j, "run_id", d->run_id);
	sw_json_obj(j, "detection");
	if (d->id > 0)
		sw_json_int(j, "id", d->id);
	sw_json_int(j, "seq", d->seq);
	sw_json_str(j, "kind", d->kind);
	sw_json_str(j, "variant", d->variant);
	sw_json_str(j, "proto", d->proto);
	sw_json_bool(j, "outbound", d->outbound);
	sw_json_time(j, "first_seen", d->first_seen);
	sw_json_time(j, "last_seen", d->last_seen);
	sw_json_time(j, "detected_at", d->detected_at);
	if (d->closed)
		sw_json_time(j, "closed_at", d->closed_at);
	else
		sw_json_null(j, "closed_at");
	sw_json_uint(j, "targets", d->targets);
	sw_json_bool(j, "targets_capped", d->targets_capped);
	sw_json_uint(j, "ports", d->ports);
	sw_json_bool(j, "ports_capped", d->ports_capped);
	sw_json_uint(j, "packets", d->packets);
	if (d->failed_contacts >= 0)
		sw_json_int(j, "failed_contacts", d->failed_contacts);
	else
		sw_json_null(j, "failed_contacts");
	sw_json_uint(j, "successes", d->successes);
	sw_json_uint(j, "sessions_after_scan", d->sessions_after);
	sw_json_uint(j, "src_resets", d->src_resets);
	sw_json_uint(j, "src_silent", d->src_silent);
	sw_json_str(j, "tool", d->tool);
	sw_json_str(j, "evasion", d->evasion);
	if (d->probe_sig) {
		snprintf(sig, sizeof sig, "%016llx", (unsigned long long)d->probe_sig);
		sw_json_str(j, "probe_sig", sig);
	} else {
		sw_json_null(j, "probe_sig");
	}
	sw_json_end(j);
	sw_json_end(j);

	sw_json_end(j);
}
