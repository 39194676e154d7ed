package api

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

// Problems speak the language of the request: a page's language, else
// the best of Accept-Language. `code` and `field` stay machine-readable;
// `title` and `detail` are for people, in English or French.

// requestLanguage is the language of the request being answered.
func requestLanguage(c echo.Context) string {
	if l, ok := c.Get(langKey).(string); ok && supportedLang(l) {
		return l
	}
	return negotiateLanguage(c.Request().Header.Get("Accept-Language"))
}

// problemTitles are short summaries per code, as a person reads them.
var problemTitles = map[string]map[apperr.Code]string{
	"en": {
		apperr.Invalid: "Please check what you entered", apperr.NotFound: "Not found", apperr.Unauthorized: "Sign-in needed",
		apperr.Forbidden: "Not allowed", apperr.Conflict: "This cannot be done now", apperr.SlotUnavailable: "This time is not available",
		apperr.CaseloadFull: "No place left", apperr.CalendarAuthFailed: "The calendar refused the sign-in",
		apperr.CalendarURLForbidden: "This calendar address is not allowed", apperr.CalendarNotCalDAV: "No calendar server at this address",
		apperr.CalendarUnreachable: "The calendar could not be reached", apperr.CalendarTooLarge: "The calendar is too large",
		apperr.VideoUnavailable: "The video service is not answering", apperr.RateLimited: "Too many requests",
		apperr.TooLarge: "Request too large", apperr.MethodNotAllowed: "Method not allowed",
		apperr.Unavailable: "The service is busy", apperr.Internal: "Something went wrong on our side",
		"already_mentored": "Already mentored", "period_closed": "This month is closed",
	},
	"fr": {
		apperr.Invalid: "Vérifiez ce que vous avez saisi", apperr.NotFound: "Introuvable", apperr.Unauthorized: "Connexion nécessaire",
		apperr.Forbidden: "Non autorisé", apperr.Conflict: "Impossible pour le moment", apperr.SlotUnavailable: "Ce créneau n'est pas disponible",
		apperr.CaseloadFull: "Plus de place", apperr.CalendarAuthFailed: "L'agenda a refusé l'identification",
		apperr.CalendarURLForbidden: "Cette adresse d'agenda n'est pas autorisée", apperr.CalendarNotCalDAV: "Aucun serveur d'agenda à cette adresse",
		apperr.CalendarUnreachable: "L'agenda est injoignable", apperr.CalendarTooLarge: "L'agenda est trop volumineux",
		apperr.VideoUnavailable: "Le service de visioconférence ne répond pas", apperr.RateLimited: "Trop de requêtes",
		apperr.TooLarge: "Requête trop volumineuse", apperr.MethodNotAllowed: "Méthode non autorisée",
		apperr.Unavailable: "Le service est occupé", apperr.Internal: "Un problème est survenu de notre côté",
		"already_mentored": "Déjà accompagné", "period_closed": "Ce mois est clos",
	},
}

// problemDetails are the messages services name with a key; {1}, {2}…
// are the error's Args.
var problemDetails = map[string]map[string]string{
	"en": {
		"slot.past":              "This time has already passed. Choose one of the free times.",
		"slot.too_soon":          "This time is too soon: {1} needs {2} minutes' notice. Choose a later time.",
		"slot.beyond_horizon":    "This time is too far ahead: {1} takes bookings up to {2} days ahead. Choose an earlier date.",
		"slot.off_grid":          "Sessions start every {1} minutes from the hour in {2}'s time zone. Choose one of the free times.",
		"slot.outside_hours":     "This time is outside {1}'s hours. Choose one of the free times.",
		"slot.taken":             "Someone has just taken this time. Choose another one.",
		"booking.upcoming_limit": "You already have {1} upcoming session(s) with {2}. Move or cancel it from the link in your confirmation mail instead.",
		"caseload.full":          "{1} already follows {2} mentees, their maximum.",
		"form.not_a_number":      "“{1}” is not a whole number.",
		"capacity.staff_raise":   "Only the program's staff can raise your caseload (now {1}); ask them. You may lower it yourself.",
	},
	"fr": {
		"slot.past":              "Cet horaire est déjà passé. Choisissez l'un des créneaux libres.",
		"slot.too_soon":          "Cet horaire est trop proche : {1} demande {2} minutes de préavis. Choisissez un horaire plus tardif.",
		"slot.beyond_horizon":    "Cet horaire est trop lointain : {1} accepte les réservations jusqu'à {2} jours à l'avance. Choisissez une date plus proche.",
		"slot.off_grid":          "Les séances commencent toutes les {1} minutes à partir de l'heure pile, dans le fuseau de {2}. Choisissez l'un des créneaux libres.",
		"slot.outside_hours":     "Cet horaire est en dehors des heures de {1}. Choisissez l'un des créneaux libres.",
		"slot.taken":             "Quelqu'un vient de prendre ce créneau. Choisissez-en un autre.",
		"booking.upcoming_limit": "Vous avez déjà {1} séance(s) à venir avec {2}. Déplacez-la ou annulez-la plutôt, avec le lien de votre mail de confirmation.",
		"caseload.full":          "{1} suit déjà {2} mentorés, son maximum.",
		"form.not_a_number":      "« {1} » n'est pas un nombre entier.",
		"capacity.staff_raise":   "Seule l'équipe du programme peut augmenter votre nombre de mentorés (aujourd'hui {1}) : demandez-le-lui. Vous pouvez le baisser vous-même.",
	},
}

// frenchPatterns translate the services' other English messages; a
// message none matches stays in English (it still names its field).
var frenchPatterns = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^is required$`), "est obligatoire"},
	{regexp.MustCompile(`^is required to book on a public link$`), "est obligatoire pour réserver"},
	{regexp.MustCompile(`^must be valid UTF-8$`), "doit être du texte valide (UTF-8)"},
	{regexp.MustCompile(`^must not contain NUL characters$`), "ne doit pas contenir de caractère NUL"},
	{regexp.MustCompile(`^is (\d+) characters long; at most (\d+) are allowed$`), "fait $1 caractères ; $2 au plus sont permis"},
	{regexp.MustCompile(`^(".*") is not an email address$`), "$1 n'est pas une adresse e-mail"},
	{regexp.MustCompile(`^(".*") is not an IANA time zone$`), "$1 n'est pas un fuseau horaire connu"},
	{regexp.MustCompile(`^an IANA time zone such as Europe/Paris is required$`), "un fuseau horaire comme Europe/Paris est obligatoire"},
	{regexp.MustCompile(`^(".*") is not an RFC 3339 time$`), "$1 n'est pas une date et heure RFC 3339"},
	{regexp.MustCompile(`^(".*") is not a time \(HH:MM\)$`), "$1 n'est pas une heure (HH:MM)"},
	{regexp.MustCompile(`^(".*") is not a date \(YYYY-MM-DD\)$`), "$1 n'est pas une date (AAAA-MM-JJ)"},
	{regexp.MustCompile(`^(".*") is not a range like 09:00-12:00$`), "$1 n'est pas une plage comme 09:00-12:00"},
	{regexp.MustCompile(`^(\S+) ends before it starts \((\S+)\)$`), "$1 finit avant de commencer ($2)"},
	{regexp.MustCompile(`^must be between (-?\d+) and (-?\d+), got (-?\d+)$`), "doit être entre $1 et $2 (et non $3)"},
	{regexp.MustCompile(`^must be before to$`), "doit précéder la fin"},
	{regexp.MustCompile(`^the window may span at most 366 days$`), "la période ne peut dépasser 366 jours"},
	{regexp.MustCompile(`^is the session's current time$`), "est déjà l'horaire de la séance"},
	{regexp.MustCompile(`^choose one of the free times$`), "choisissez l'un des créneaux libres"},
	{regexp.MustCompile(`^this session was cancelled$`), "cette séance a été annulée"},
	{regexp.MustCompile(`^this session has started and can no longer be cancelled$`), "cette séance a commencé et ne peut plus être annulée"},
	{regexp.MustCompile(`^this session is over and can no longer be moved$`), "cette séance est terminée et ne peut plus être déplacée"},
	{regexp.MustCompile(`^this session is over; record its outcome instead$`), "cette séance est terminée ; indiquez plutôt comment elle s'est passée"},
	{regexp.MustCompile(`^this booking link does not exist or is no longer active$`), "ce lien de réservation n'existe pas ou n'est plus actif"},
	{regexp.MustCompile(`^this sign-in link is unknown, expired or already used$`), "ce lien de connexion est inconnu, expiré ou déjà utilisé"},
	{regexp.MustCompile(`^no such session$`), "séance introuvable"},
	{regexp.MustCompile(`^too many requests from your address; try again in a minute$`), "trop de requêtes depuis votre adresse ; réessayez dans une minute"},
	{regexp.MustCompile(`^request body over 1 MiB$`), "la requête dépasse 1 Mio"},
	{regexp.MustCompile(`^(.+) already follows (\d+) mentees, their maximum$`), "$1 suit déjà $2 mentorés, son maximum"},
	{regexp.MustCompile(`^every mentor's caseload is full$`), "aucun mentor n'a de place libre"},
	{regexp.MustCompile(`^(.+) is already an active mentee of this mentor$`), "$1 est déjà mentoré par ce mentor"},
	{regexp.MustCompile(`^the service is busy or its database is unreachable; try again shortly$`), "le service est occupé ou sa base de données injoignable ; réessayez dans un instant"},
	{regexp.MustCompile(`^internal error$`), "erreur interne"},
	{regexp.MustCompile(`^the calendar server refused these credentials$`), "le serveur d'agenda a refusé cet identifiant ou ce mot de passe"},
	{regexp.MustCompile(`^(.+) is already a staff member$`), "$1 fait déjà partie de l'équipe"},
	{regexp.MustCompile(`^you cannot remove yourself; ask another admin$`), "vous ne pouvez pas vous retirer vous-même ; demandez à un autre administrateur"},
	{regexp.MustCompile(`^no such staff member$`), "membre de l'équipe introuvable"},
	{regexp.MustCompile(`^role must be admin or coordinator$`), "le rôle doit être admin ou coordinator"},
	{regexp.MustCompile(`^cursor is not one this server handed out$`), "ce curseur ne vient pas de ce serveur"},
	{regexp.MustCompile(`^limit must be between 1 and (\d+)$`), "la limite doit être entre 1 et $1"},
	{regexp.MustCompile(`^status must be active or ended$`), "le statut doit être active ou ended"},
	{regexp.MustCompile(`^(.+) is already on line (\d+)$`), "$1 figure déjà ligne $2"},
	{regexp.MustCompile(`^no mentor has the address (.+)$`), "aucun mentor n'a l'adresse $1"},
	{regexp.MustCompile(`^(\d+) mentors have the address (.+); add this mentee from their page$`), "$1 mentors ont l'adresse $2 ; ajoutez ce mentoré depuis la page du bon mentor"},
	{regexp.MustCompile(`^this line has (\d+) fields, the header (\d+)$`), "cette ligne a $1 champs, l'en-tête $2"},
	{regexp.MustCompile(`^this line is not valid CSV: (.+)$`), "cette ligne n'est pas du CSV valide : $1"},
	{regexp.MustCompile(`^an import takes at most (\d+) lines; split the file$`), "un import prend au plus $1 lignes ; découpez le fichier"},
	{regexp.MustCompile(`^No server is known by the name (\S+): check the calendar address for a typo\.$`), "Aucun serveur ne porte le nom $1 : vérifiez l'adresse de l'agenda."},
	{regexp.MustCompile(`^The name (\S+) could not be looked up just now; please try again in a moment\.$`), "Le nom $1 n'a pas pu être résolu pour le moment ; réessayez dans un instant."},
	{regexp.MustCompile(`^(.+) refused the connection: check the address and port, or whether the server is running\.$`), "$1 a refusé la connexion : vérifiez l'adresse et le port, ou que le serveur fonctionne."},
	{regexp.MustCompile(`^(.+)'s HTTPS certificate is not valid \(expired, self-signed or for another name\): ask its administrator to fix it\.$`), "Le certificat HTTPS de $1 n'est pas valide (expiré, auto-signé ou pour un autre nom) : demandez à son administrateur de le corriger."},
	{regexp.MustCompile(`^(.+) answered with an error \(HTTP (\d+)\); please try again in a moment\.$`), "$1 a répondu par une erreur (HTTP $2) ; réessayez dans un instant."},
	{regexp.MustCompile(`^(.+) refused the request \(HTTP (\d+)\): check the calendar address\.$`), "$1 a refusé la requête (HTTP $2) : vérifiez l'adresse de l'agenda."},
	{regexp.MustCompile(`^(.+) did not answer in time; please try again in a moment\.$`), "$1 n'a pas répondu à temps ; réessayez dans un instant."},
	{regexp.MustCompile(`^(.+) could not be reached or failed; please try again in a moment\.$`), "$1 est injoignable ou en panne ; réessayez dans un instant."},
	{regexp.MustCompile(`^Not Found$`), "Introuvable"},
	{regexp.MustCompile(`^Method Not Allowed$`), "Méthode non autorisée"},
	{regexp.MustCompile(`^the session has not started yet$`), "la séance n'a pas encore commencé"},
	{regexp.MustCompile(`^(\S+) is not over in every time zone yet; it can be closed from (.+) UTC$`), "$1 n'est pas encore terminé dans tous les fuseaux horaires ; il pourra être clos à partir du $2 UTC"},
	{regexp.MustCompile(`^(\S+) is already closed$`), "$1 est déjà clos"},
	{regexp.MustCompile(`^(".*") is not a month like 2026-11$`), "$1 n'est pas un mois comme 2026-11"},
	{regexp.MustCompile(`^a mentor reads their own statement only$`), "un mentor ne lit que son propre relevé"},
	{regexp.MustCompile(`^statements are for staff and mentors$`), "les relevés sont réservés à l'équipe et aux mentors"},
	{regexp.MustCompile(`^a cancelled session can only be marked late_cancel$`), "une séance annulée ne peut qu'être notée annulée tardivement (late_cancel)"},
	{regexp.MustCompile(`^no_show can be recorded once a third of the session has passed \(from (.+) UTC\)$`), "l'absence du mentoré (no_show) se note une fois le premier tiers de la séance passé (à partir de $1 UTC)"},
	{regexp.MustCompile(`^must be one of completed, no_show, mentor_no_show, late_cancel$`), "doit être completed, no_show, mentor_no_show ou late_cancel"},
	{regexp.MustCompile(`^the statement of (\S+) is closed; its reports can no longer change$`), "le relevé de $1 est clos ; ses comptes rendus ne peuvent plus changer"},
}

// fieldLabels name input fields as a person sees them.
var fieldLabels = map[string]map[string]string{
	"en": {
		"start": "Time", "name": "Name", "email": "E-mail", "note": "Note", "timezone": "Time zone", "tz": "Time zone",
		"reason": "Reason", "from": "From", "to": "To", "max_mentees": "Maximum mentees", "session_minutes": "Session length",
		"min_notice_minutes": "Notice", "horizon_days": "Booking horizon", "buffer_minutes": "Buffer", "max_sessions_per_day": "Sessions per day",
		"max_upcoming_per_mentee": "Upcoming sessions per mentee", "public_booking": "Public booking", "weekly_hours": "Weekly hours",
		"overrides": "Dates with other hours", "url": "Calendar address", "username": "User name", "password": "Password",
		"outcome": "Outcome", "language": "Language", "video_provider": "Video",
		"notes": "Private notes", "summary": "Summary", "month": "Month",
	},
	"fr": {
		"start": "Horaire", "name": "Nom", "email": "E-mail", "note": "Message", "timezone": "Fuseau horaire", "tz": "Fuseau horaire",
		"reason": "Motif", "from": "Début", "to": "Fin", "max_mentees": "Nombre maximal de mentorés", "session_minutes": "Durée des séances",
		"min_notice_minutes": "Préavis", "horizon_days": "Horizon de réservation", "buffer_minutes": "Marge", "max_sessions_per_day": "Séances par jour",
		"max_upcoming_per_mentee": "Séances à venir par mentoré", "public_booking": "Réservation publique", "weekly_hours": "Heures de la semaine",
		"overrides": "Dates aux horaires différents", "url": "Adresse de l'agenda", "username": "Identifiant", "password": "Mot de passe",
		"outcome": "Déroulement", "language": "Langue", "video_provider": "Visioconférence",
		"notes": "Notes privées", "summary": "Résumé", "month": "Mois",
		"monday": "Lundi", "tuesday": "Mardi", "wednesday": "Mercredi", "thursday": "Jeudi", "friday": "Vendredi", "saturday": "Samedi", "sunday": "Dimanche",
	},
}

func init() {
	for _, d := range weekdayKeys {
		fieldLabels["en"][d] = strings.ToUpper(d[:1]) + d[1:]
	}
}

var (
	weeklyField   = regexp.MustCompile(`^weekly_hours\[(\d+)\](?:\.(start|end|weekday))?$`)
	overrideField = regexp.MustCompile(`^overrides\[(\d+)\](?:\.date|\.hours\[\d+\](?:\.(start|end))?)?$`)
	partLabels    = map[string]map[string]string{
		"en": {"start": "start", "end": "end", "weekday": "day", "range": "range", "line": "line"},
		"fr": {"start": "début", "end": "fin", "weekday": "jour", "range": "plage", "line": "ligne"},
	}
)

// fieldLabel is a field as a person sees it: "Weekly hours, range 3,
// end" for weekly_hours[2].end; an unknown field is shown as it is.
func fieldLabel(lang, field string) string {
	if l, ok := fieldLabels[lang][field]; ok {
		return l
	}
	indexed := func(base, unit string, m []string) string {
		n, _ := strconv.Atoi(m[1])
		out := fieldLabel(lang, base) + ", " + partLabels[lang][unit] + " " + strconv.Itoa(n+1)
		if len(m) > 2 && m[2] != "" {
			out += ", " + partLabels[lang][m[2]]
		}
		return out
	}
	if m := weeklyField.FindStringSubmatch(field); m != nil {
		return indexed("weekly_hours", "range", m)
	}
	if m := overrideField.FindStringSubmatch(field); m != nil {
		return indexed("overrides", "line", m)
	}
	return field
}

// localizeProblem rewrites a problem's title and detail in lang.
func localizeProblem(p Problem, err error, lang string) Problem {
	if !supportedLang(lang) {
		lang = defaultLang
	}
	if t, ok := problemTitles[lang][apperr.Code(p.Code)]; ok {
		p.Title = t
	}
	var e *apperr.Error
	if !errors.As(err, &e) || p.Status >= 500 {
		p.Detail = translateMessage(lang, p.Detail)
		return p
	}
	msg := problemMessage(lang, e)
	if e.Field != "" {
		msg = withLabel(lang, fieldLabel(lang, e.Field), msg)
	}
	p.Detail = msg
	return p
}

// problemMessage is an error's message in lang, without its field.
func problemMessage(lang string, e *apperr.Error) string {
	if tmpl, ok := problemDetails[lang][e.Key]; ok && e.Key != "" {
		return fillArgs(tmpl, e.Args)
	}
	return translateMessage(lang, e.Message)
}

// withLabel puts a field's label before a message, with the language's
// punctuation ("Name: is required", « Nom : est obligatoire »).
func withLabel(lang, label, msg string) string {
	if lang == "fr" {
		return label + " : " + msg
	}
	return label + ": " + msg
}

func translateMessage(lang, msg string) string {
	if lang != "fr" {
		return msg
	}
	for _, pat := range frenchPatterns {
		if pat.re.MatchString(msg) {
			return pat.re.ReplaceAllString(msg, pat.fr)
		}
	}
	return msg
}

// fillArgs puts args in place of {1}, {2}…
func fillArgs(tmpl string, args []string) string {
	for i, a := range args {
		tmpl = strings.ReplaceAll(tmpl, "{"+strconv.Itoa(i+1)+"}", a)
	}
	return tmpl
}
