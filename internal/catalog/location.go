package catalog

import (
	"sync"
	"time"
)

// Location is the catalog's time zone, in which due dates are calendar
// days (UTC when it names none or an unknown one). Zones are loaded once
// per process: time.LoadLocation reads the zone file each time.
func (c Catalog) Location() *time.Location {
	if c.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := locations.Load(c.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	locations.Store(c.TimeZone, loc)
	return loc
}

// locations keeps the time zones loaded, by name.
var locations sync.Map
