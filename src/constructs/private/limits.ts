/**
 * The most Regions a construct takes: "an Aurora global database can have up to 10
 * secondary AWS Regions" besides its primary (Aurora User Guide, "Configuration
 * requirements of an Amazon Aurora global database"), and the routing, the runbooks and
 * the alarms follow the database's Regions.
 */
export const MAX_REGIONS = 11;
