package api

import "testing"

func TestNegotiateLanguage(t *testing.T) {
	for header, want := range map[string]string{
		"":                        "en",
		"fr-CA,fr;q=0.9,en;q=0.8": "fr",
		"de-DE,en;q=0.5,fr;q=0.7": "fr",
		"en-GB,en;q=0.9":          "en",
		"fr;q=0, en;q=0.1":        "en",
		"es, pt;q=0.5":            "en",
		"FR":                      "fr",
	} {
		if got := negotiateLanguage(header); got != want {
			t.Errorf("negotiateLanguage(%q) = %q, want %q", header, got, want)
		}
	}
}

// Every English string has a French one, so no page mixes languages.
func TestFrenchCoversEnglish(t *testing.T) {
	for _, table := range pageTables {
		for key := range table["en"] {
			if _, ok := table["fr"][key]; !ok {
				t.Errorf("no French string for %q", key)
			}
		}
	}
}
