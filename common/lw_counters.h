/* SPDX-License-Identifier: MPL-2.0 */
/*
 * Per-worker counters. One X-macro list gives the enum, the printable names
 * and (later) the statistic names the control socket publishes. A worker
 * owns its array and is its only writer; readers tolerate torn reads of a
 * counter that is still moving.
 */
#ifndef LW_COUNTERS_H
#define LW_COUNTERS_H

#include <stdint.h>

#define LW_COUNTERS(X)                                                                             \
	X(RX_PACKETS, "rx-packets", "frames received on this worker's queues")                     \
	X(RX_DHCP, "rx-dhcp", "DHCP requests taken for processing")                                \
	X(RX_ARP, "rx-arp", "ARP frames received")                                                 \
	X(RX_ICMP, "rx-icmp-echo", "ICMP echo requests to a server address")                       \
	X(RX_OTHER, "rx-other", "frames that are not ARP, ICMP echo to us, or UDP to port 67")     \
	X(RX_BAD_L3, "rx-bad-l3", "bad Ethernet/IPv4/UDP headers (length, checksum, fragment)")    \
	X(TX_PACKETS, "tx-packets", "frames transmitted")                                          \
	X(TX_DROP, "tx-drop", "frames the port refused (TX queue full)")                           \
	X(IN_DISCOVER, "pkt4-discover-received", "DHCPDISCOVER received")                          \
	X(IN_REQUEST, "pkt4-request-received", "DHCPREQUEST received")                             \
	X(IN_DECLINE, "pkt4-decline-received", "DHCPDECLINE received")                             \
	X(IN_RELEASE, "pkt4-release-received", "DHCPRELEASE received")                             \
	X(IN_INFORM, "pkt4-inform-received", "DHCPINFORM received")                                \
	X(IN_UNKNOWN, "pkt4-unknown-received", "other DHCP message types received")                \
	X(OUT_OFFER, "pkt4-offer-sent", "DHCPOFFER sent")                                          \
	X(OUT_ACK, "pkt4-ack-sent", "DHCPACK sent")                                                \
	X(OUT_NAK, "pkt4-nak-sent", "DHCPNAK sent")                                                \
	X(PARSE_FAILED, "pkt4-parse-failed", "DHCP payloads that failed to parse (all kinds)")     \
	X(BAD_TRUNC, "malformed-truncated", "shorter than the BOOTP header and cookie")            \
	X(BAD_OP, "malformed-op", "op is not BOOTREQUEST")                                         \
	X(BAD_HLEN, "malformed-hlen", "hlen over 16")                                              \
	X(BAD_COOKIE, "malformed-cookie", "missing or wrong magic cookie")                         \
	X(BAD_OPTLEN, "malformed-option-length", "option length past the end of its field")        \
	X(BAD_OPTSIZE, "malformed-option-size", "fixed-size option with a wrong length")           \
	X(BAD_OVERLOAD, "malformed-overload", "bad option overload (52)")                          \
	X(BAD_TOOLONG, "malformed-too-long", "concatenated option over 255 bytes")                 \
	X(BAD_NOTYPE, "malformed-no-type", "no message type option (53)")                          \
	X(DROP_NOT_FOR_US, "drop-not-for-us", "REQUEST for another server, or not ours to answer") \
	X(DROP_NO_SUBNET, "drop-no-subnet", "no configured subnet for the client's link")          \
	X(DROP_POOL_EXHAUSTED, "drop-pool-exhausted", "no free address left in the subnet")        \
	X(DROP_POOL_WAIT, "drop-pool-wait", "this shard is dry; addresses are being moved to it")  \
	X(DROP_NO_BINDING, "drop-no-binding", "request for a lease we have no record of (silent)") \
	X(DROP_STEER_FULL, "drop-steer-ring-full", "ring to the owning worker full")               \
	X(DROP_NEIGH, "drop-neigh-unresolved", "reply dropped: next hop did not answer ARP")       \
	X(DROP_NO_ROUTE, "drop-no-route", "reply dropped: no route to the destination")            \
	X(DROP_TABLE_FULL, "drop-table-full", "lease table of this shard full")                    \
	X(DROP_BAD_REQUEST, "drop-bad-request", "request missing what its type needs")             \
	X(DROP_NO_ROOM, "drop-no-room", "no room for the reply in the buffer or the port MTU")     \
	X(STEER_OUT, "steered-out", "packets handed to the owning worker")                         \
	X(STEER_IN, "steered-in", "packets received from another worker")                          \
	X(ARP_REPLY_SENT, "arp-reply-sent", "ARP replies for a server address")                    \
	X(ARP_REQUEST_SENT, "arp-request-sent", "ARP requests to resolve a next hop")              \
	X(ARP_LEARNED, "arp-learned", "neighbour entries learned")                                 \
	X(ICMP_ECHO_SENT, "icmp-echo-sent", "ICMP echo replies sent")                              \
	X(LEASE_COMMIT, "binding-events", "binding changes committed (one event each)")            \
	X(LEASE_EXPIRED, "leases-expired", "leases that expired and went back to the pool")        \
	X(LEASE_RELEASED, "leases-released", "leases released by their clients")                   \
	X(LEASE_DECLINED, "leases-declined", "addresses declined and quarantined")                 \
	X(DECLINE_REUSED, "declined-reclaimed",                                                    \
		"declined addresses back in the pool after probation")                             \
	X(OFFER_EXPIRED, "offers-expired", "offers not taken up in time")                          \
	X(ADDR_GRANT_IN, "addresses-granted-in", "free addresses moved to this shard")             \
	X(ADDR_GRANT_OUT, "addresses-granted-out", "free addresses moved away from this shard")    \
	X(DROP_NOT_LOADED, "drop-not-loaded",                                                      \
		"DHCP request before the control process had loaded the leases")                   \
	X(DROP_EVENTS_FULL, "drop-events-full",                                                    \
		"request dropped: binding events not yet durable fill this worker's buffer")       \
	X(ACKS_HELD, "acks-held", "ACKs held until their binding event was durable")               \
	X(DROP_ACK_NOT_DURABLE, "drop-ack-not-durable",                                            \
		"ACKs dropped: their binding event was not durable within ack_hold_ms")            \
	X(DROP_ACK_HOLD_FULL, "drop-ack-hold-full",                                                \
		"ACKs dropped: the queue of ACKs waiting for durability was full")                 \
	X(EVENTS_SENT, "events-sent",                                                              \
		"binding events put on the ring to control (resent ones too)")                     \
	X(EVENT_RING_FULL, "event-ring-full", "times the event ring to control was found full")    \
	X(BINDINGS_LOADED, "bindings-loaded", "bindings installed from control at start-up")       \
	X(ADDR_GRANT_CTL, "addresses-granted-by-control",                                          \
		"free addresses control gave this shard")                                          \
	X(ADDR_MOVED_CTL, "addresses-moved-by-control",                                            \
		"free addresses this shard gave another at control's request (rebalancing)")       \
	X(LEASES_DELETED, "leases-deleted", "bindings removed at control's request (lease4-del)")  \
	X(CMD_REJECTED, "commands-rejected",                                                       \
		"commands from control that were malformed or did not apply")                      \
	X(DROP_FO_NOT_SERVING, "drop-failover-not-serving",                                        \
		"failover subnet while failover allows no service")                                \
	X(DROP_LOAD_BALANCED, "drop-load-balanced",                                                \
		"DHCPDISCOVER from a client whose hash bucket the failover peer serves")           \
	X(DROP_PEER_ADDRESS, "drop-peer-address",                                                  \
		"request for a parked failover address, not ours to give (silent)")                \
	X(ADDR_YIELDED, "addresses-yielded",                                                       \
		"free addresses given up for the failover peer at control's request")              \
	X(ADDR_PARKED, "addresses-parked",                                                         \
		"failover pool addresses parked until control grants them (binding ended, "        \
		"deleted, yielded)")                                                               \
	X(TSFP_UPDATES, "tsfp-updates",                                                            \
		"leases given the expiry the failover partner acknowledged (tsfp)")                \
	X(FO_SNAPSHOTS, "failover-snapshots", "failover snapshots copied from control")            \
	X(BINDINGS_UPDATED, "bindings-loaded-serving",                                             \
		"failover bindings control installed while serving (peer updates)")                \
	X(IDLE_NAPS, "idle-naps", "naps of an idle worker (dataplane.idle_sleep_us)")

enum lw_counter {
#define LW_CTR_ENUM(id, name, help) LW_CTR_##id,
	LW_COUNTERS(LW_CTR_ENUM)
#undef LW_CTR_ENUM
		LW_CTR_MAX,
};

const char *lw_counter_name(enum lw_counter c);

#endif
