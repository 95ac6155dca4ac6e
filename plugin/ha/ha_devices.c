/*
 * Which entities each kind of device has (ha_discovery.h): the topics the
 * plugin publishes for it, and the commands it accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ha_discovery.h"
#include "ha_discovery_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- wall connectors: the seed's status topics, <twc prefix>/<ID>/<leaf> ---- */

/* The state codes of docs/twc.md ("State codes") as text; the codes it leaves "TBA" show as their number. */
static const char twc_state_template[] =
	"{{ {'0': 'Ready', '1': 'Charging', '2': 'Error', '3': 'Plugged in, not charging', "
	"'4': 'Plugged in, ready to charge', '5': 'Busy', '8': 'Starting to charge', "
	"'10': 'Amp adjustment complete', '15': 'Unknown'}.get(value, value) }}";

static const struct {
	const char *leaf;
	struct ha_entity e;
} twc_slave_entities[] = {
	{"ampsInUse", {HA_SENSOR("amps_in_use", "Current", "current", "A", "measurement")}},
	/* The seed's "power" is the current the wall connector reports, in amps. */
	{"power", {HA_SENSOR("power", "Reported current", "current", "A", "measurement")}},
	{"ampsMax", {HA_SENSOR("amps_max", "Current limit", "current", "A", "measurement")}},
	{"carsCharging", {.component = "binary_sensor", .object_id = "cars_charging", .name = "Charging",
			  .device_class = "battery_charging", .payload_on = "1", .payload_off = "0"}},
	{"currentVehicleVIN", {HA_SENSOR("current_vehicle_vin", "Vehicle VIN", NULL, NULL, NULL), .icon = "mdi:car"}},
	{"lastVehicleVIN", {HA_SENSOR("last_vehicle_vin", "Last vehicle VIN", NULL, NULL, NULL), .icon = "mdi:car",
			    .category = "diagnostic"}},
	{"lifetimekWh", {HA_SENSOR("lifetime_kwh", "Lifetime energy", "energy", "kWh", "total_increasing")}},
	{"state", {HA_SENSOR("state", "State", NULL, NULL, NULL), .value_template = twc_state_template}},
	{"voltagePhaseA", {HA_SENSOR("voltage_phase_a", "Voltage phase A", "voltage", "V", "measurement")}},
	{"voltagePhaseB", {HA_SENSOR("voltage_phase_b", "Voltage phase B", "voltage", "V", "measurement")}},
	{"voltagePhaseC", {HA_SENSOR("voltage_phase_c", "Voltage phase C", "voltage", "V", "measurement")}},
};

bool ha_discovery_twc_slave(struct ha_discovery_set *s, const struct ha_discovery_topics *t, unsigned slave_id,
			    unsigned master_id)
{
	ha_set_clear(s);
	unsigned id = slave_id & 0xFFFFu;
	char node[HA_NODE_ID_MAX], via[HA_NODE_ID_MAX], name[32];
	snprintf(node, sizeof(node), "energy_bridge_twc_%04X", id);
	snprintf(via, sizeof(via), "energy_bridge_twc_pool_%04X", master_id & 0xFFFFu);
	snprintf(name, sizeof(name), "Wall Connector %04X", id);
	char *availability = ha_format(HA_TWC_AVAILABILITY, t->availability, id);
	struct ha_device d = {t, node, name, "Tesla", "Wall Connector Gen2", via, availability};
	s->failed |= !availability;
	for (size_t i = 0; availability && i < COUNT(twc_slave_entities); i++) {
		struct ha_entity e = twc_slave_entities[i].e;
		char *state = ha_format("%s/%04X/%s", t->twc_prefix, id, twc_slave_entities[i].leaf);
		e.state_topic = state;
		if (state)
			ha_add_entity(s, &d, &e);
		s->failed |= !state;
		free(state);
	}
	free(availability);
	return ha_set_finish(s);
}

/* Energy management (master mode): the mode, charge-now, and what the status says. */
static void add_energy_entities(struct ha_discovery_set *s, const struct ha_device *d, int pool_max_amps)
{
	static const char *const modes[] = {"charge_now", "surplus", "min_surplus", "schedule", "stop", NULL};
	const struct ha_discovery_topics *t = d->t;
	char *mode = ha_format("%s/energy/mode", t->twc_prefix);
	char *mode_set = ha_format("%s/energy/mode/set", t->twc_prefix);
	char *charge_now = ha_format("%s/energy/chargeNow/set", t->twc_prefix);
	char *status = ha_format("%s/energy/status", t->twc_prefix);
	if (mode && mode_set && charge_now && status) {
		struct ha_entity e = {.component = "select", .object_id = "energy_mode", .name = "Charging mode",
				      .state_topic = mode, .command_topic = mode_set, .options = modes,
				      .icon = "mdi:solar-power"};
		ha_add_entity(s, d, &e);
		/* Charge now at this many amps for an hour; the button ends it early. */
		e = (struct ha_entity){.component = "number", .object_id = "charge_now_amps", .name = "Charge now for an hour",
				       .command_topic = charge_now, .command_template = "{{ value | int }},3600",
				       .device_class = "current", .unit = "A", .has_range = true, .min = 0,
				       .max = pool_max_amps, .step = 1};
		ha_add_entity(s, d, &e);
		e = (struct ha_entity){.component = "button", .object_id = "charge_now_end", .name = "End charge now",
				       .command_topic = charge_now, .payload_press = "0,0"};
		ha_add_entity(s, d, &e);
		e = (struct ha_entity){HA_SENSOR("energy_available_w", "Power available for charging", "power", "W",
						 "measurement"),
				       .state_topic = status, .json_path = "available_w"};
		ha_add_entity(s, d, &e);
		e = (struct ha_entity){HA_SENSOR("energy_target_amps", "Charging target", "current", "A", "measurement"),
				       .state_topic = status, .json_path = "target_amps"};
		ha_add_entity(s, d, &e);
		e = (struct ha_entity){HA_SENSOR("energy_reason", "Charging reason", NULL, NULL, NULL),
				       .state_topic = status, .json_path = "reason"};
		ha_add_entity(s, d, &e);
	} else {
		s->failed = true;
	}
	free(mode);
	free(mode_set);
	free(charge_now);
	free(status);
}

bool ha_discovery_twc_pool(struct ha_discovery_set *s, const struct ha_discovery_topics *t, unsigned master_id,
			   int pool_max_amps)
{
	ha_set_clear(s);
	char node[HA_NODE_ID_MAX];
	snprintf(node, sizeof(node), "energy_bridge_twc_pool_%04X", master_id & 0xFFFFu);
	struct ha_device d = {t, node, "Wall Connector load sharing", "energy-bridge",
			      pool_max_amps < 0 ? "TWC monitor" : "TWC master", NULL, NULL};
	char *pool = ha_format("%s/config/maxAmpsForSlaves", t->twc_prefix);
	char *pool_set = ha_format("%s/config/maxAmpsForSlaves/set", t->twc_prefix);
	char *total = ha_format("%s/all/totalAmpsInUse", t->twc_prefix);
	char *minimum = ha_format("%s/config/minAmpsPerTWC", t->twc_prefix);
	if (pool && pool_set && total && minimum) {
		struct ha_entity e = {HA_SENSOR("max_amps_for_slaves", "Current pool", "current", "A", "measurement"),
				      .state_topic = pool};
		if (pool_max_amps >= 0) /* in monitor mode a real master shares the current: no control */
			e = (struct ha_entity){.component = "number", .object_id = "max_amps_for_slaves",
					       .name = "Current pool", .state_topic = pool, .command_topic = pool_set,
					       .device_class = "current", .unit = "A", .has_range = true,
					       .min = 0, .max = pool_max_amps, .step = 1};
		ha_add_entity(s, &d, &e);
		e = (struct ha_entity){HA_SENSOR("total_amps_in_use", "Total current", "current", "A", "measurement"),
				       .state_topic = total};
		ha_add_entity(s, &d, &e);
		e = (struct ha_entity){HA_SENSOR("min_amps_per_twc", "Minimum current per charger", "current", "A", NULL),
				       .state_topic = minimum, .category = "diagnostic"};
		ha_add_entity(s, &d, &e);
	} else {
		s->failed = true;
	}
	free(pool);
	free(pool_set);
	free(total);
	free(minimum);
	if (pool_max_amps >= 0)
		add_energy_entities(s, &d, pool_max_amps);
	return ha_set_finish(s);
}

/* ---- Venus batteries: the retained JSON state, <venus prefix>/<type>/<id>/state ---- */

#define VENUS_SENSOR(key, label, dc, u, sc) HA_SENSOR(key, label, dc, u, sc), .json_path = key
#define VENUS_DIAGNOSTIC(key, label) VENUS_SENSOR(key, label, NULL, NULL, NULL), .category = "diagnostic"

/*
 * The state fields of docs/venus.md. Those that a control below shows
 * (working_mode, backup, the power limits) are the controls'; time_periods
 * and other are not single values.
 */
static const struct ha_entity venus_sensors[] = {
	{VENUS_SENSOR("soc_percent", "State of charge", "battery", "%", "measurement")},
	{VENUS_SENSOR("battery_energy_kwh", "Stored energy", "energy_storage", "kWh", "measurement")},
	{VENUS_SENSOR("combined_power_w", "Power", "power", "W", "measurement")}, /* - charging, + discharging */
	{VENUS_SENSOR("off_grid_power_va", "Off-grid power", "apparent_power", "VA", "measurement")},
	{VENUS_SENSOR("working_status", "Working status", NULL, NULL, NULL)},
	{VENUS_SENSOR("battery_status", "Battery status", NULL, NULL, NULL)},
	{VENUS_SENSOR("total_charged_kwh", "Total charged", "energy", "kWh", "total_increasing")},
	{VENUS_SENSOR("total_discharged_kwh", "Total discharged", "energy", "kWh", "total_increasing")},
	/* Daily and monthly counters start again at 0: total_increasing takes that as a new cycle. */
	{VENUS_SENSOR("daily_charged_kwh", "Charged today", "energy", "kWh", "total_increasing")},
	{VENUS_SENSOR("monthly_charged_kwh", "Charged this month", "energy", "kWh", "total_increasing")},
	{VENUS_SENSOR("daily_discharged_kwh", "Discharged today", "energy", "kWh", "total_increasing")},
	{VENUS_SENSOR("monthly_discharged_kwh", "Discharged this month", "energy", "kWh", "total_increasing")},
	/* Income may be negative: monetary takes state class total, not total_increasing. */
	{VENUS_SENSOR("daily_income_eur", "Income today", "monetary", "EUR", "total")},
	{VENUS_SENSOR("monthly_income_eur", "Income this month", "monetary", "EUR", "total")},
	{VENUS_SENSOR("total_income_eur", "Total income", "monetary", "EUR", "total")},
	{VENUS_DIAGNOSTIC("ct_status", "CT status")},
	{VENUS_DIAGNOSTIC("fault_code", "Fault code")},
	{VENUS_DIAGNOSTIC("warning_code", "Warning code")},
	{VENUS_DIAGNOSTIC("device_version", "Device version")},
	{VENUS_DIAGNOSTIC("bms_version", "BMS version")},
	{VENUS_DIAGNOSTIC("communication_module_version", "Communication module version")},
	{VENUS_DIAGNOSTIC("grid_type", "Grid type")},
	{VENUS_DIAGNOSTIC("ct_auto_switch", "CT auto switch")},
	{VENUS_DIAGNOSTIC("ct_type", "CT type")},
	{VENUS_DIAGNOSTIC("phase", "Phase")},
	{VENUS_DIAGNOSTIC("recharge_mode", "Recharge mode")},
	{VENUS_DIAGNOSTIC("power_version", "Power version")},
	{VENUS_DIAGNOSTIC("trading_region_code", "Trading region code")},
	{VENUS_DIAGNOSTIC("trading_charge_price", "Trading charge price")},
	{VENUS_DIAGNOSTIC("trading_discharge_price", "Trading discharge price")},
	{VENUS_DIAGNOSTIC("http_server_type", "HTTP server type")},
	{VENUS_DIAGNOSTIC("regional_charge_price", "Regional charge price")},
	{VENUS_DIAGNOSTIC("regional_discharge_price", "Regional discharge price")},
	{VENUS_DIAGNOSTIC("wifi_signal", "Wi-Fi signal (lower is better)")},
	{VENUS_DIAGNOSTIC("wifi_name", "Wi-Fi name")},
	{VENUS_SENSOR("updated", "Last update", "timestamp", NULL, NULL), .category = "diagnostic"},
};

static const char *const venus_working_modes[] = {"automatic", "manual", "trading", NULL};

/*
 * The friendly commands of docs/venus.md (<prefix>/<type>/<id>/set/<object_id>):
 * the plugin turns each into the vendor's command and passes it through the
 * command gate, so the ranges here only guide the user; the gate decides.
 */
static const struct ha_entity venus_controls[] = {
	{.component = "select", .object_id = "working_mode", .name = "Working mode", .json_path = "working_mode",
	 .options = venus_working_modes},
	{.component = "number", .object_id = "max_charging_power", .name = "Maximum charging power",
	 .json_path = "max_charging_power_w", .device_class = "power", .unit = "W", .has_range = true, .min = 300,
	 .max = 2500, .step = 1},
	{.component = "number", .object_id = "max_discharge_power", .name = "Maximum discharge power",
	 .json_path = "max_discharge_power_w", .device_class = "power", .unit = "W", .has_range = true, .min = 0,
	 .max = 2500, .step = 1},
	{.component = "switch", .object_id = "backup", .name = "Backup", .json_path = "backup", .payload_on = "on",
	 .payload_off = "off"},
	{.component = "button", .object_id = "refresh", .name = "Refresh", .payload_press = "PRESS",
	 .icon = "mdi:refresh"},
	{.component = "button", .object_id = "sync_time", .name = "Set clock", .payload_press = "PRESS",
	 .icon = "mdi:clock-check-outline", .category = "config"},
};

/* The vendor topic's first level, as a person writes the maker's name. */
static const char *venus_manufacturer(const char *vendor)
{
	if (strcmp(vendor, "hame_energy") == 0)
		return "Hame";
	if (strcmp(vendor, "marstek_energy") == 0)
		return "Marstek";
	return vendor[0] ? vendor : NULL;
}

/* Controls are the components that take commands: their object id is the friendly setting's name. */
static bool is_control(const struct ha_entity *e)
{
	return strcmp(e->component, "sensor") != 0 && strcmp(e->component, "binary_sensor") != 0;
}

struct entity_list {
	const struct ha_entity *entities;
	size_t count;
};

/*
 * One device of the venus job, <prefix>/<type>/<id>: its sensors read the
 * state topic, its controls command <prefix>/<type>/<id>/set/<object_id>.
 * The device is named label, type and id.
 */
static bool discover_venus_device(struct ha_discovery_set *s, const struct ha_discovery_topics *t,
				  const char *vendor, const char *type, const char *id, bool own_availability,
				  const char *label, const struct entity_list *lists, size_t list_count)
{
	ha_set_clear(s);
	char node[HA_NODE_ID_MAX] = "energy_bridge_venus_";
	ha_append_id(node, sizeof(node), type);
	strncat(node, "_", sizeof(node) - strlen(node) - 1);
	ha_append_id(node, sizeof(node), id);
	char *name = ha_format("%s%s %s", label, type, id);
	char *state = ha_format("%s/%s/%s/state", t->venus_prefix, type, id);
	char *availability = own_availability ? ha_format(HA_VENUS_AVAILABILITY, t->availability, type, id) : NULL;
	struct ha_device d = {t, node, name, venus_manufacturer(vendor), type, NULL, availability};
	if (!name || !state || (own_availability && !availability)) {
		s->failed = true;
	} else {
		for (size_t l = 0; l < list_count; l++) {
			for (size_t i = 0; i < lists[l].count; i++) {
				struct ha_entity e = lists[l].entities[i];
				char *command = is_control(&e) ? ha_format("%s/%s/%s/set/%s", t->venus_prefix, type,
									   id, e.object_id) : NULL;
				e.command_topic = command;
				e.state_topic = e.json_path ? state : NULL; /* a button has no state */
				if (!is_control(&e) || command)
					ha_add_entity(s, &d, &e);
				s->failed |= is_control(&e) && !command;
				free(command);
			}
		}
	}
	free(name);
	free(state);
	free(availability);
	return ha_set_finish(s);
}

bool ha_discovery_venus(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *vendor,
			const char *type, const char *id, bool own_availability)
{
	const struct entity_list lists[] = {{venus_sensors, COUNT(venus_sensors)},
					    {venus_controls, COUNT(venus_controls)}};
	return discover_venus_device(s, t, vendor, type, id, own_availability, "Venus ", lists, COUNT(lists));
}

/* ---- the other Hame families: their retained JSON state (docs/venus.md, "Families") ---- */

#define HAME_SENSOR(path, label, dc, u, sc) HA_SENSOR(path, label, dc, u, sc), .json_path = path
#define HAME_DIAGNOSTIC(path, label) HAME_SENSOR(path, label, NULL, NULL, NULL), .category = "diagnostic"
#define HAME_PRESS(obj, label) {.component = "button", .object_id = obj, .name = label, .payload_press = "PRESS", \
				.icon = "mdi:refresh"}

static const struct ha_entity b2500_entities[] = {
	{HAME_SENSOR("soc_percent", "State of charge", "battery", "%", "measurement")},
	/* the schema allows energy_storage in kWh only: Wh stays a plain measurement */
	{HAME_SENSOR("battery_energy_wh", "Stored energy", NULL, "Wh", "measurement")},
	{HAME_SENSOR("input1_power_w", "Input 1 power", "power", "W", "measurement")},
	{HAME_SENSOR("input2_power_w", "Input 2 power", "power", "W", "measurement")},
	{HAME_SENSOR("output1_power_w", "Output 1 power", "power", "W", "measurement")},
	{HAME_SENSOR("output2_power_w", "Output 2 power", "power", "W", "measurement")},
	{HAME_SENSOR("daily_pv_charge_wh", "PV charge today", NULL, "Wh", "total_increasing")},
	{HAME_SENSOR("daily_inverter_output_wh", "Output today", NULL, "Wh", "total_increasing")},
	{HAME_SENSOR("cell_temp_min_c", "Cell temperature min", "temperature", "°C", "measurement")},
	{HAME_SENSOR("cell_temp_max_c", "Cell temperature max", "temperature", "°C", "measurement")},
	{HAME_DIAGNOSTIC("scene", "Scene")},
	{HAME_DIAGNOSTIC("ct_status", "CT status")},
	{HAME_DIAGNOSTIC("firmware_version", "Firmware version")},
	{HAME_SENSOR("wifi_rssi_dbm", "Wi-Fi signal", "signal_strength", "dBm", "measurement"), .category = "diagnostic"},
	{.component = "number", .object_id = "discharge_depth", .name = "Discharge depth", .json_path = "discharge_depth_percent",
	 .unit = "%", .has_range = true, .min = 0, .max = 100, .step = 1},
	{.component = "sensor", .object_id = "charging_mode", .name = "Charging mode", .json_path = "charging_mode"},
	HAME_PRESS("refresh", "Refresh"),
};

static const char *const jupiter_modes[] = {"automatic", "manual", "ai", NULL};

static const struct ha_entity jupiter_entities[] = {
	{HAME_SENSOR("soc_percent", "State of charge", "battery", "%", "measurement")},
	{HAME_SENSOR("battery_energy_kwh", "Stored energy", "energy_storage", "kWh", "measurement")},
	{HAME_SENSOR("combined_power_w", "Power", "power", "W", "measurement")},
	{HAME_SENSOR("pv1_power_w", "PV 1 power", "power", "W", "measurement")},
	{HAME_SENSOR("pv2_power_w", "PV 2 power", "power", "W", "measurement")},
	{HAME_SENSOR("pv3_power_w", "PV 3 power", "power", "W", "measurement")},
	{HAME_SENSOR("pv4_power_w", "PV 4 power", "power", "W", "measurement")},
	{HAME_SENSOR("daily_charged_kwh", "Charged today", "energy", "kWh", "total_increasing")},
	{HAME_SENSOR("daily_discharged_kwh", "Discharged today", "energy", "kWh", "total_increasing")},
	{HAME_DIAGNOSTIC("battery_status", "Battery status")},
	{HAME_DIAGNOSTIC("fault_code", "Fault code")},
	{HAME_DIAGNOSTIC("surplus_feed_in", "Surplus feed-in")},
	{.component = "select", .object_id = "working_mode", .name = "Working mode", .json_path = "working_mode",
	 .options = jupiter_modes},
	{.component = "number", .object_id = "depth_of_discharge", .name = "Depth of discharge",
	 .json_path = "depth_of_discharge_percent", .unit = "%", .has_range = true, .min = 30, .max = 90, .step = 1},
	HAME_PRESS("refresh", "Refresh"),
};

static const struct ha_entity meter_entities[] = {
	{HAME_SENSOR("phase_a_w", "Phase A power", "power", "W", "measurement")},
	{HAME_SENSOR("phase_b_w", "Phase B power", "power", "W", "measurement")},
	{HAME_SENSOR("phase_c_w", "Phase C power", "power", "W", "measurement")},
	{HAME_SENSOR("total_w", "Total power", "power", "W", "measurement")},
	{HAME_SENSOR("wifi_rssi_dbm", "Wi-Fi signal", "signal_strength", "dBm", "measurement"), .category = "diagnostic"},
	{HAME_DIAGNOSTIC("firmware_version", "Firmware version")},
	HAME_PRESS("refresh", "Refresh"),
};

static const char *const inverter_modes[] = {"default", "b2500_boost", "reverse_current_protection", NULL};

static const struct ha_entity inverter_entities[] = {
	{HAME_SENSOR("output_power_w", "Output power", "power", "W", "measurement")},
	{HAME_SENSOR("pv1_power_w", "PV 1 power", "power", "W", "measurement")},
	{HAME_SENSOR("pv2_power_w", "PV 2 power", "power", "W", "measurement")},
	{HAME_SENSOR("daily_energy_kwh", "Energy today", "energy", "kWh", "total_increasing")},
	{HAME_SENSOR("total_energy_kwh", "Total energy", "energy", "kWh", "total_increasing")},
	{HAME_SENSOR("grid_voltage_v", "Grid voltage", "voltage", "V", "measurement")},
	{HAME_SENSOR("grid_frequency_hz", "Grid frequency", "frequency", "Hz", "measurement")},
	{HAME_SENSOR("chip_temp_c", "Chip temperature", "temperature", "°C", "measurement")},
	{.component = "number", .object_id = "max_output_power", .name = "Maximum output power",
	 .json_path = "max_output_power_w", .device_class = "power", .unit = "W", .has_range = true, .min = 0,
	 .max = 2000, .step = 1},
	{.component = "select", .object_id = "mode", .name = "Mode", .json_path = "mode", .options = inverter_modes},
	{.component = "switch", .object_id = "grid_connection_ban", .name = "Grid connection ban",
	 .json_path = "grid_connection_ban", .payload_on = "on", .payload_off = "off"},
	HAME_PRESS("refresh", "Refresh"),
};

bool ha_discovery_hame(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *vendor,
		       const char *type, const char *id, const char *family, bool own_availability)
{
	struct entity_list list;
	if (family && strcmp(family, "b2500") == 0)
		list = (struct entity_list){b2500_entities, COUNT(b2500_entities)};
	else if (family && strcmp(family, "jupiter") == 0)
		list = (struct entity_list){jupiter_entities, COUNT(jupiter_entities)};
	else if (family && (strcmp(family, "ct002") == 0 || strcmp(family, "ct003") == 0))
		list = (struct entity_list){meter_entities, COUNT(meter_entities)};
	else if (family && strcmp(family, "inverter") == 0)
		list = (struct entity_list){inverter_entities, COUNT(inverter_entities)};
	else
		return ha_discovery_venus(s, t, vendor, type, id, own_availability);
	return discover_venus_device(s, t, vendor, type, id, own_availability, "", &list, 1);
}

/* ---- MPPT controllers: one JSON message per sample, <mppt prefix>/<mppt_id> ---- */

/* The status word's fields (docs/mppt.md); null when a sample has no status. */
static const struct {
	const char *key, *name;
	bool diagnostic;
} mppt_status_fields[] = {
	{"input", "Input", false},
	{"chgfet", "Charge FET", true},
	{"chgfet_antirev", "Charge FET anti-reverse", true},
	{"fet_antirev", "FET anti-reverse", true},
	{"input_current", "Input current", false},
	{"load", "Load", false},
	{"pv_input", "PV input", false},
	{"charging", "Charging", false},
	{"system", "System", false},
	{"standby", "Standby", false},
};

/* volts, amps and watts of one channel: "pv[0]" as "PV 1", "battery" as "Battery". */
static void add_channel(struct ha_discovery_set *s, const struct ha_device *d, const char *state,
			const char *path, const char *object, const char *label)
{
	static const struct {
		const char *measure, *name, *device_class, *unit;
	} measures[] = {{"volts", "voltage", "voltage", "V"}, {"amps", "current", "current", "A"},
			{"watts", "power", "power", "W"}};
	for (size_t i = 0; i < COUNT(measures); i++) {
		char object_id[HA_OBJECT_ID_MAX], json_path[32], name[48];
		snprintf(object_id, sizeof(object_id), "%s_%s", object, measures[i].measure);
		snprintf(json_path, sizeof(json_path), "%s.%s", path, measures[i].measure);
		snprintf(name, sizeof(name), "%s %s", label, measures[i].name);
		struct ha_entity e = {HA_SENSOR(object_id, name, measures[i].device_class, measures[i].unit,
						"measurement"),
				      .state_topic = state, .json_path = json_path};
		ha_add_entity(s, d, &e);
	}
}

/* The channels an MPPT sample and an inverter sample share: up to four PV inputs, the battery, up to two loads. */
static void add_sample_channels(struct ha_discovery_set *s, const struct ha_device *d, const char *state,
				unsigned pv_count, unsigned load_count)
{
	char path[16], object[16], label[16];
	for (unsigned i = 0; i < pv_count && i < 4; i++) {
		snprintf(path, sizeof(path), "pv[%u]", i);
		snprintf(object, sizeof(object), "pv_%u", i + 1);
		snprintf(label, sizeof(label), "PV %u", i + 1);
		add_channel(s, d, state, path, object, label);
	}
	add_channel(s, d, state, "battery", "battery", "Battery");
	for (unsigned i = 0; i < load_count && i < 2; i++) {
		snprintf(path, sizeof(path), "load[%u]", i);
		snprintf(object, sizeof(object), "load_%u", i + 1);
		snprintf(label, sizeof(label), "Load %u", i + 1);
		add_channel(s, d, state, path, object, label);
	}
}

/* A boolean renders True or False; null (no status) renders None: unknown. */
static void add_bus_connect(struct ha_discovery_set *s, const struct ha_device *d, const char *state)
{
	struct ha_entity bus = {.component = "binary_sensor", .object_id = "status_bus_connect",
				.name = "Bus connected", .state_topic = state, .json_path = "status.bus_connect",
				.device_class = "connectivity", .payload_on = "True", .payload_off = "False"};
	ha_add_entity(s, d, &bus);
}

bool ha_discovery_mppt(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *mppt_id,
		       unsigned pv_count, unsigned load_count)
{
	ha_set_clear(s);
	char node[HA_NODE_ID_MAX] = "energy_bridge_mppt_";
	ha_append_id(node, sizeof(node), mppt_id);
	char *name = ha_format("MPPT %s", mppt_id);
	char *state = ha_format("%s/%s", t->mppt_prefix, mppt_id);
	struct ha_device d = {t, node, name, NULL, "MPPT charge controller", NULL, NULL};
	if (!name || !state) {
		s->failed = true;
	} else {
		add_sample_channels(s, &d, state, pv_count, load_count);
		add_bus_connect(s, &d, state);
		for (size_t i = 0; i < COUNT(mppt_status_fields); i++) {
			char object_id[HA_OBJECT_ID_MAX], json_path[48];
			snprintf(object_id, sizeof(object_id), "status_%s", mppt_status_fields[i].key);
			snprintf(json_path, sizeof(json_path), "status.%s", mppt_status_fields[i].key);
			struct ha_entity e = {HA_SENSOR(object_id, mppt_status_fields[i].name, NULL, NULL, NULL),
					      .state_topic = state, .json_path = json_path,
					      .category = mppt_status_fields[i].diagnostic ? "diagnostic" : NULL};
			ha_add_entity(s, &d, &e);
		}
	}
	free(name);
	free(state);
	return ha_set_finish(s);
}

/* ---- inverters: the MPPT sample shape and the grid, <inverter prefix>/<inverter_id> ---- */

bool ha_discovery_inverter(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *inverter_id,
			   unsigned pv_count, unsigned load_count, unsigned phase_count)
{
	ha_set_clear(s);
	char node[HA_NODE_ID_MAX] = "energy_bridge_inverter_";
	ha_append_id(node, sizeof(node), inverter_id);
	char *name = ha_format("Inverter %s", inverter_id);
	char *state = ha_format("%s/%s", t->inverter_prefix, inverter_id);
	struct ha_device d = {t, node, name, NULL, "Inverter", NULL, NULL};
	if (!name || !state) {
		s->failed = true;
	} else {
		add_sample_channels(s, &d, state, pv_count, load_count);
		for (unsigned i = 0; i < phase_count && i < 3; i++) {
			char path[16], object[16], label[24];
			/* With three phases each entry's watts is √3·V·I·pf, the three phases' power together. */
			snprintf(path, sizeof(path), "grid[%u]", i);
			snprintf(object, sizeof(object), "grid_%u", i + 1);
			snprintf(label, sizeof(label), "Grid phase %u", i + 1);
			add_channel(s, &d, state, path, object, label);
			char object_id[HA_OBJECT_ID_MAX], json_path[32], pf_name[40];
			snprintf(object_id, sizeof(object_id), "grid_%u_pf", i + 1);
			snprintf(json_path, sizeof(json_path), "grid[%u].pf", i);
			snprintf(pf_name, sizeof(pf_name), "Grid phase %u power factor", i + 1);
			struct ha_entity e = {HA_SENSOR(object_id, pf_name, "power_factor", NULL, "measurement"),
					      .state_topic = state, .json_path = json_path};
			ha_add_entity(s, &d, &e);
		}
		add_bus_connect(s, &d, state);
	}
	free(name);
	free(state);
	return ha_set_finish(s);
}

/* ---- PMS battery packs: every pack of a PMS on <pms prefix>/<pms_id>, told apart by pack_id ---- */

static const struct {
	const char *object_id, *name, *json_path, *device_class, *unit;
	bool diagnostic;
} pms_pack_fields[] = {
	{"volts", "Voltage", "pack.volts", "voltage", "V", false},
	{"amps", "Current", "pack.amps", "current", "A", false},
	{"watts", "Power", "pack.watts", "power", "W", false},
	{"cell_min", "Lowest cell", "pack.vcl", "voltage", "V", false},
	{"cell_max", "Highest cell", "pack.vch", "voltage", "V", false},
	{"temp_top", "Temperature top", "pack.temp_top", "temperature", "°C", false},
	{"temp_mid", "Temperature middle", "pack.temp_mid", "temperature", "°C", false},
	{"temp_bottom", "Temperature bottom", "pack.temp_bottom", "temperature", "°C", false},
	{"fet_in_temp", "Input FET temperature", "fet[0].temp", "temperature", "°C", true},
	{"fet_out_temp", "Output FET temperature", "fet[1].temp", "temperature", "°C", true},
};

/* text as the inside of a single-quoted template string: \ and ' escaped. */
static char *template_string(const char *text)
{
	size_t n = strlen(text), k = 0;
	char *out = malloc(2 * n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\\' || text[i] == '\'')
			out[k++] = '\\';
		out[k++] = text[i];
	}
	out[k] = '\0';
	return out;
}

bool ha_discovery_pms_pack(struct ha_discovery_set *s, const struct ha_discovery_topics *t, const char *pms_id,
			   const char *pack_id)
{
	ha_set_clear(s);
	char node[HA_NODE_ID_MAX] = "energy_bridge_pms_";
	ha_append_id(node, sizeof(node), pms_id);
	strncat(node, "_", sizeof(node) - strlen(node) - 1);
	ha_append_id(node, sizeof(node), pack_id);
	char *name = ha_format("Battery pack %s (PMS %s)", pack_id, pms_id);
	char *state = ha_format("%s/%s", t->pms_prefix, pms_id);
	char *quoted = template_string(pack_id);
	struct ha_device d = {t, node, name, "Sundaya", "Battery pack", NULL, NULL};
	if (!name || !state || !quoted) {
		s->failed = true;
	} else {
		for (size_t i = 0; i < COUNT(pms_pack_fields); i++) {
			/* Another pack's message: keep this entity's last value (unknown until its pack reports). */
			char *value = ha_format("{%% if value_json.pack_id == '%s' %%}{{ value_json.%s | default(None) }}"
						"{%% elif this.state not in ('unknown', 'unavailable') %%}{{ this.state }}"
						"{%% else %%}{{ None }}{%% endif %%}",
						quoted, pms_pack_fields[i].json_path);
			struct ha_entity e = {HA_SENSOR(pms_pack_fields[i].object_id, pms_pack_fields[i].name,
							pms_pack_fields[i].device_class, pms_pack_fields[i].unit,
							"measurement"),
					      .state_topic = state, .value_template = value,
					      .category = pms_pack_fields[i].diagnostic ? "diagnostic" : NULL};
			if (value)
				ha_add_entity(s, &d, &e);
			s->failed |= !value;
			free(value);
		}
	}
	free(name);
	free(state);
	free(quoted);
	return ha_set_finish(s);
}
