package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/calendar/zonenames"
)

// The zone picker and the pages' local times name zones from the server's
// CLDR table, so a zone reads the same in the browser as on the server,
// whatever (possibly older) names the browser's own data uses.

type zoneEntry struct {
	Name        string `json:"name"`
	City        string `json:"city"`
	Country     string `json:"country,omitempty"`
	Description string `json:"description"`
}

// zoneListJSON is the body of /static/zones.json, built once.
func zoneListJSON() []byte {
	all := zonenames.All()
	list := make([]zoneEntry, len(all))
	for i, z := range all {
		list[i] = zoneEntry{Name: z.Name, City: z.City, Country: z.Country, Description: z.Description}
	}
	body, err := json.Marshal(struct {
		Zones   []zoneEntry       `json:"zones"`
		Aliases map[string]string `json:"aliases"`
	}{list, zonenames.Aliases()})
	if err != nil {
		panic(err) // plain strings always marshal
	}
	return body
}

func (s *Server) zoneList(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.JSONBlob(http.StatusOK, s.web.zones)
}
