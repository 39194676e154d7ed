package api

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/calendar/zonenames"
	"github.com/rendezvous/rendezvous/internal/apperr"
	"github.com/rendezvous/rendezvous/internal/notify"
)

// The web pages are server-rendered html/template files with embedded CSS
// and a little plain JavaScript; nothing is built.

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

const (
	pageKey = "page_route"
	// pageCSP allows only our own scripts and styles: a page can hold no
	// inline script, so user text that slipped through could not run.
	// Forms post to us only, and may be redirected to formTargets (Google's
	// consent page, for the "connect Google" form: browsers hold the
	// redirects of a form submission to form-action too).
	pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"base-uri 'none'; form-action 'self'%s; frame-ancestors 'none'; object-src 'none'"
)

// webPages is the state of the page routes, built once in New.
type webPages struct {
	templates map[string]*template.Template
	csrf      echo.MiddlewareFunc
	csp       string
	zones     []byte // /static/zones.json
}

// setupPages parses the embedded templates and hooks HTML error pages into
// the error handler. The templates are compiled in: failing to parse them
// is a programming error, caught by every test that starts a server.
func (s *Server) setupPages() {
	templates, err := parsePages()
	if err != nil {
		panic(err)
	}
	formTargets := ""
	if s.GoogleConsentOrigin != "" {
		formTargets = " " + s.GoogleConsentOrigin
	}
	s.web = &webPages{templates: templates, csrf: s.newCSRF(), csp: fmt.Sprintf(pageCSP, formTargets), zones: zoneListJSON()}
	s.pageErrors = s.renderPageError
}

// pageNames are the page templates; each is parsed with the layout.
var pageNames = []string{"book", "manage", "signin", "mentor", "mentor_session", "statement", "error",
	"staff_home", "staff_team", "staff_mentors", "staff_mentor", "staff_mentees", "staff_mentee", "staff_assign", "staff_import", "staff_statements",
	"staff_mentor_new"}

func parsePages() (map[string]*template.Template, error) {
	// zone shows a zone's canonical name; zoneID is that name for scripts.
	funcs := template.FuncMap{"rfc3339": rfc3339Of, "zone": zonenames.Display, "zoneID": zonenames.Canonical,
		"settingsField": settingsFieldOf, "consoleInput": consoleInputOf, "optionalInt": optionalInt, "dashes": func(s string) string { return strings.ReplaceAll(s, "_", "-") },
		"monthName": monthName, "shortDate": shortDate, "shortTime": shortTime, "tagged": tagged, "deref": deref,
		"list3": func(a, b, c string) []string { return []string{a, b, c} }}
	out := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles,
			"templates/layout.html", "templates/picker.html", "templates/cancel.html", "templates/console.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// page is what every page template sees.
type page struct {
	translator
	Lang  string
	Title string
	CSRF  string
	Flash string
	Error string
	Page  any
	// Form is a posted form shown again with its error (nil otherwise).
	Form    *formState
	Script  any      // JSON for the page scripts, or nil for no scripts
	Scripts []string // files under /static to load after common.js
	// Console is the staff console's navigation, on console pages only.
	Console *consoleNav
	// zone is where When writes times (nil: UTC).
	zone *time.Location
	// query is the request's query without lang and the one-time done
	// flash: what the language links keep (a month, a filter, a page).
	query url.Values
}

// LangHref is the link that shows this page in lang: the same query
// (filters, month, cursor) with lang set.
func (p *page) LangHref(lang string) string {
	q := maps.Clone(p.query)
	if q == nil {
		q = url.Values{}
	}
	q.Set("lang", lang)
	return "?" + q.Encode()
}

// When writes an instant (a time.Time or *time.Time) in the page's zone
// and language: what a reader without JavaScript sees, and what the
// scripts rewrite in the browser's zone for <time data-local>.
func (p *page) When(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	loc := p.zone
	if loc == nil {
		loc = time.UTC
	}
	return notify.FormatWhen(t, loc, p.Lang)
}

// inZone sets the zone of When by name (UTC when unknown).
func (p *page) inZone(name string) {
	if loc, err := time.LoadLocation(zonenames.Canonical(name)); err == nil {
		p.zone = loc
	}
}

func (s *Server) newPage(c echo.Context, titleKey string, data any) *page {
	lang := pageLang(c)
	p := &page{translator: translator(lang), Lang: lang, Page: data}
	p.Title = p.T(titleKey)
	p.CSRF, _ = c.Get(csrfKey).(string)
	p.query = c.QueryParams()
	if p.query.Has("lang") || p.query.Has("done") {
		p.query = maps.Clone(p.query)
		p.query.Del("lang")
		p.query.Del("done")
	}
	if done := c.QueryParam("done"); done != "" {
		if msg := p.T("flash." + done); msg != "flash."+done {
			p.Flash = msg
		}
	}
	return p
}

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(c echo.Context, status int, name string, p *page) error {
	t, ok := s.web.templates[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render page %s: %w", name, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// pageRoute marks a request as a page (its errors render as HTML) and sets
// the page security headers.
func (s *Server) pageRoute(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(pageKey, true)
		c.Response().Header().Set("Content-Security-Policy", s.web.csp)
		return next(c)
	}
}

// pageMiddleware is the chain of every HTML page: marker and headers,
// language, then CSRF (a token bound to the browser's session that each
// form echoes in _csrf and each script in X-CSRF-Token; see csrf.go).
func (s *Server) pageMiddleware(rateLimited bool) []echo.MiddlewareFunc {
	m := []echo.MiddlewareFunc{s.pageRoute, s.pageLanguage}
	if rateLimited {
		m = append(m, s.limiter)
	}
	return append(m, s.web.csrf)
}

func (s *Server) secureCookies() bool { return s.BaseURL != nil && s.BaseURL.Scheme == "https" }

// renderPageError is the errorHandler hook: errors of page routes become
// an HTML page in the visitor's language.
func (s *Server) renderPageError(c echo.Context, p Problem) bool {
	if marked, _ := c.Get(pageKey).(bool); !marked {
		return false
	}
	pg := s.newPage(c, "error.title", nil)
	heading := pg.T(fmt.Sprintf("error.%d", p.Status))
	if heading == fmt.Sprintf("error.%d", p.Status) {
		heading = pg.T("error.title")
	}
	pg.Title = heading
	pg.Page = struct{ Heading, Detail string }{heading, p.Detail}
	if err := s.render(c, p.Status, "error", pg); err != nil {
		s.logger.Error("render error page", slog.Any("error", err))
		return false
	}
	return true
}

// static serves the embedded CSS and scripts.
func (s *Server) static() echo.HandlerFunc {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	files := http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
	return func(c echo.Context) error {
		// Files only: a directory would be answered with a listing.
		name := strings.TrimPrefix(c.Param("*"), "/")
		if info, err := fs.Stat(sub, name); name == "" || err != nil || info.IsDir() {
			return echo.ErrNotFound
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// formError turns a service error into a message for the form, or
// reports it as a real failure.
func formError(c echo.Context, err error) (string, int, bool) {
	var e *apperr.Error
	if errors.As(err, &e) && e.Code != apperr.Internal {
		p := localizeProblem(problemFor(err), err, pageLang(c))
		return p.Detail, p.Status, true
	}
	return "", 0, false
}

// rfc3339Of formats a time or a time pointer for <time datetime>.
func rfc3339Of(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case *time.Time:
		if t != nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return ""
}
