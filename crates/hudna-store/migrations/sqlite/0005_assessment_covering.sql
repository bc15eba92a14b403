-- Covering indexes for the incident lists and daily counts: the zone/window
-- list and the violation counts read (agreement, zone|reading, day) and need
-- only incident_id besides, so the index alone answers them, with no lookup
-- of each assessment row. (agreement, zone, day) is a prefix of the first
-- and goes. (reading, day) stays for violation lists with no agreement.

CREATE INDEX assessments_zone_day_incident ON assessments(agreement, zone, day, incident_id);
CREATE INDEX assessments_reading_day_zone_incident ON assessments(agreement, reading, day, zone, incident_id);
DROP INDEX assessments_zone_day;
