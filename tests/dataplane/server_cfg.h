/* SPDX-License-Identifier: MPL-2.0 */
/*
 * The configuration the server tests and the server fuzz target run on:
 * three subnets (a direct one with reservations inside and outside its pool,
 * a relayed one, a link-selection one). A printf format: first the value of
 * server.authoritative ("true"/"false"), then the first subnet's pool range.
 */
#ifndef LW_TEST_SERVER_CFG_H
#define LW_TEST_SERVER_CFG_H

static const char srv_test_cfg_fmt[] =
	"dataplane = { eal_args = [ \"-l\", \"0,1\" ]; };\n"
	"server = { authoritative = %s; default_lease_time = 600; min_lease_time = 60;\n"
	"  max_lease_time = 1200; decline_probation = 100; offer_hold = 30; };\n"
	"ports = ( { name = \"p0\"; device = \"net_null0\"; address = \"198.18.0.1/24\";\n"
	"  routes = ( { to = \"0.0.0.0/0\"; via = \"198.18.0.254\"; } ); } );\n"
	"options = ( { name = \"domain-name-servers\"; value = [ \"198.18.0.53\" ]; } );\n"
	"subnets = (\n"
	" { subnet = \"198.18.0.0/24\"; routers = [ \"198.18.0.254\" ];\n"
	"   domain_name = \"t.test\";\n"
	"   options = ( { code = 42; type = \"ips\"; value = [ \"198.18.0.123\" ]; } );\n"
	"   pools = ( { range = \"%s\"; } );\n"
	"   reservations = ( { hw_address = \"02:00:00:00:aa:01\"; address = \"198.18.0.105\"; },\n"
	"     { client_id = \"ff:00:00:00:01\"; address = \"198.18.0.250\"; } ); },\n"
	" { subnet = \"198.18.1.0/24\"; routers = [ \"198.18.1.1\" ];\n"
	"   pools = ( { range = \"198.18.1.100 - 198.18.1.109\"; } ); },\n"
	" { subnet = \"198.18.2.0/24\"; pools = ( { range = \"198.18.2.10 - 198.18.2.19\"; } ); }\n"
	");\n";

#endif
