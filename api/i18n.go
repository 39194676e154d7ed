package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The pages speak English and French. The language comes from ?lang=
// (kept in a cookie so the choice sticks), else the cookie, else the
// browser's Accept-Language.
const (
	langCookie  = "lang"
	langKey     = "page_lang"
	defaultLang = "en"
)

var supportedLangs = []string{"en", "fr"}

// pageLanguage is middleware that picks the language of a page request.
func (s *Server) pageLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang := ""
		if q := c.QueryParam("lang"); supportedLang(q) {
			lang = q
			c.SetCookie(&http.Cookie{Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
		} else if ck, err := c.Cookie(langCookie); err == nil && supportedLang(ck.Value) {
			lang = ck.Value
		} else {
			lang = negotiateLanguage(c.Request().Header.Get("Accept-Language"))
		}
		c.Set(langKey, lang)
		return next(c)
	}
}

func supportedLang(l string) bool { return l == "en" || l == "fr" }

func pageLang(c echo.Context) string {
	if l, ok := c.Get(langKey).(string); ok {
		return l
	}
	return defaultLang
}

// negotiateLanguage picks the supported language with the highest q in an
// Accept-Language header ("fr-CA,fr;q=0.9,en;q=0.8").
func negotiateLanguage(header string) string {
	type choice struct {
		lang string
		q    float64
		pos  int
	}
	var choices []choice
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if supportedLang(base) && q > 0 {
			choices = append(choices, choice{base, q, i})
		}
	}
	if len(choices) == 0 {
		return defaultLang
	}
	sort.SliceStable(choices, func(a, b int) bool { return choices[a].q > choices[b].q })
	return choices[0].lang
}

// pageTables are the pages' strings, looked up in this order.
var pageTables = []map[string]map[string]string{messages, consoleMessages, statementMessages}

// translator looks strings up for one language, falling back to English
// and then to the key itself, so a missing string shows up plainly.
type translator string

func (t translator) T(key string) string {
	for _, table := range pageTables {
		if v, ok := table[string(t)][key]; ok {
			return v
		}
	}
	for _, table := range pageTables {
		if v, ok := table[defaultLang][key]; ok {
			return v
		}
	}
	return key
}

// minutes formats a duration for the page ("30 minutes", "1 h 30").
func (t translator) minutes(d time.Duration) string {
	return strconv.Itoa(int(d.Minutes())) + " " + t.T("unit.minutes")
}

// jsStrings are the strings the page scripts need, by key.
func (t translator) jsStrings(keys ...string) map[string]string {
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[k] = t.T(k)
	}
	return out
}
