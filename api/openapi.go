package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"
)

// openAPISource is the API's description, maintained by hand next to the
// handlers it describes (see the head of the file for how it is kept true).
//
//go:embed openapi.yaml
var openAPISource []byte

// OpenAPI is the description as served: JSON, with `servers` naming base
// (the description's own default when base is nil).
func OpenAPI(base *url.URL) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(openAPISource, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if base != nil {
		doc["servers"] = []any{map[string]any{"url": base.String(), "description": "This server."}}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		// A mapping with a key YAML reads as a number (write '200', not 200).
		return nil, fmt.Errorf("openapi.yaml as JSON: %w", err)
	}
	return out, nil
}

// mustOpenAPI is OpenAPI for New: the description is compiled in, so a
// failure is a programming error, caught by every test that starts a
// server.
func mustOpenAPI(base *url.URL) []byte {
	doc, err := OpenAPI(base)
	if err != nil {
		panic(err)
	}
	return doc
}

func (s *Server) getOpenAPI(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, s.openAPI)
}
