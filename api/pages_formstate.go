package api

import (
	"errors"
	"net/url"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rendezvous/rendezvous/internal/apperr"
)

// formState is a posted form shown again after an error: what was typed
// stays in the fields, and the message is tied to the field it is about
// (aria-invalid, aria-describedby), named as the person sees it.
type formState struct {
	values  url.Values
	input   string // id of the input the error is about; "" for the whole form
	message string
}

// Value is what the person typed in the field called name, else stored.
func (f *formState) Value(name, stored string) string {
	if f == nil || f.values == nil {
		return stored
	}
	if _, ok := f.values[name]; ok {
		return f.values.Get(name)
	}
	return stored
}

// Checked is a checkbox of the form named form (its hidden "_form"
// field) as posted, else stored: an unchecked box is absent from the
// post, so only the form that was posted can say it was unchecked.
func (f *formState) Checked(form, name string, stored bool) bool {
	if f == nil || f.values == nil || f.values.Get("_form") != form {
		return stored
	}
	return f.values.Get(name) != ""
}

// Posted tells whether the form shown is the one that was posted.
func (f *formState) Posted() bool { return f != nil && f.values != nil }

// Invalid tells whether the error is about the input with this id.
func (f *formState) Invalid(id string) bool { return f != nil && f.input != "" && f.input == id }

// Message is the error's message, for the field's description.
func (f *formState) Message() string {
	if f == nil {
		return ""
	}
	return f.message
}

// inputError is a service error placed on a form's input, with the
// field's name as the page shows it.
type inputError struct {
	err   error
	input string // the input's id
	label string // already translated
}

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// postedFormError turns a form's error into the form shown again, or
// false when the error is not the person's to fix.
func postedFormError(c echo.Context, err error) (*formState, int, bool) {
	msg, status, ok := formError(c, err)
	if !ok {
		return nil, 0, false
	}
	values, _ := c.FormParams()
	f := &formState{values: values, message: msg}
	var ie *inputError
	var ae *apperr.Error
	if errors.As(err, &ie) && errors.As(err, &ae) {
		f.input = ie.input
		f.message = withLabel(pageLang(c), ie.label, problemMessage(pageLang(c), ae))
	}
	return f, status, true
}

var (
	weeklyIndex   = regexp.MustCompile(`^weekly_hours\[(\d+)\]`)
	overrideIndex = regexp.MustCompile(`^overrides\[(\d+)\]`)
)

// hoursInputError places an error of the hours form on its input: a
// day's field ("Saturday, first range") or the dates box ("line 2").
// weekly is the list the form was read into, in order.
func hoursInputError(t translator, err error, weekly []weeklyEntry) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Field == "" {
		return err
	}
	field := ae.Field
	for _, day := range weekdayKeys {
		if field == day {
			return &inputError{err: err, input: "hours-" + day, label: t.T("weekday." + day)}
		}
	}
	if m := weeklyIndex.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(weekly) {
			w := weekly[i]
			return &inputError{err: err, input: "hours-" + w.day, label: t.T("weekday."+w.day) + ", " + t.ordinalRange(w.ordinal)}
		}
	}
	if m := overrideIndex.FindStringSubmatch(field); m != nil {
		i, _ := strconv.Atoi(m[1])
		return &inputError{err: err, input: "overrides", label: t.T("mentor.overrides_short") + ", " + t.T("form.line") + " " + strconv.Itoa(i+1)}
	}
	if field == "overrides" {
		return &inputError{err: err, input: "overrides", label: t.T("mentor.overrides_short")}
	}
	return err
}

// weeklyEntry is where one range of the hours form came from.
type weeklyEntry struct {
	day     string
	ordinal int // 0 for the day's first range
}

// ordinalRange is "first range", "second range"… ("range 7" beyond).
func (t translator) ordinalRange(n int) string {
	if key := "form.range." + strconv.Itoa(n+1); n < 5 && t.T(key) != key {
		return t.T(key)
	}
	return t.T("form.range") + " " + strconv.Itoa(n+1)
}
