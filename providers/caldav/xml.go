package caldav

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
)

// multistatus is a WebDAV 207 body (RFC 4918), with the sync-token of a
// sync-collection report (RFC 6578).
type multistatus struct {
	Responses []davResponse `xml:"DAV: response"`
	SyncToken string        `xml:"DAV: sync-token"`
}

type davResponse struct {
	Href      string     `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []propstat `xml:"DAV: propstat"`
}

type propstat struct {
	Status string  `xml:"DAV: status"`
	Prop   davProp `xml:"DAV: prop"`
}

// davProp holds every property this package asks for. Only propstats with a
// 2xx status are used: servers echo unknown properties as empty elements
// under 404, which would otherwise look present.
type davProp struct {
	ResourceType         *elementList `xml:"DAV: resourcetype"`
	DisplayName          string       `xml:"DAV: displayname"`
	ETag                 string       `xml:"DAV: getetag"`
	CTag                 string       `xml:"http://calendarserver.org/ns/ getctag"`
	CurrentUserPrincipal *hrefList    `xml:"DAV: current-user-principal"`
	Privileges           *struct {
		Privilege []elementList `xml:"DAV: privilege"`
	} `xml:"DAV: current-user-privilege-set"`
	CalendarHomeSet     *hrefList `xml:"urn:ietf:params:xml:ns:caldav calendar-home-set"`
	ScheduleInbox       *hrefList `xml:"urn:ietf:params:xml:ns:caldav schedule-inbox-URL"`
	ScheduleOutbox      *hrefList `xml:"urn:ietf:params:xml:ns:caldav schedule-outbox-URL"`
	UserAddresses       *hrefList `xml:"urn:ietf:params:xml:ns:caldav calendar-user-address-set"`
	DefaultCalendar     *hrefList `xml:"urn:ietf:params:xml:ns:caldav schedule-default-calendar-URL"`
	SupportedComponents *struct {
		Comp []struct {
			Name string `xml:"name,attr"`
		} `xml:"urn:ietf:params:xml:ns:caldav comp"`
	} `xml:"urn:ietf:params:xml:ns:caldav supported-calendar-component-set"`
	CalendarData *calendarData `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
}

// calendarData is decoded into bytes: the core wants bytes, and a string
// would be one more copy of what may be megabytes.
type calendarData struct {
	Data []byte `xml:",chardata"`
}

type hrefList struct {
	Hrefs []string `xml:"DAV: href"`
}

func (h *hrefList) first() string {
	if h == nil || len(h.Hrefs) == 0 {
		return ""
	}
	return strings.TrimSpace(h.Hrefs[0])
}

// elementList records the names of child elements, e.g. the resource types
// in <resourcetype> or the privilege in <privilege>.
type elementList struct {
	Elements []struct {
		XMLName xml.Name
	} `xml:",any"`
}

func (l *elementList) has(space, local string) bool {
	if l == nil {
		return false
	}
	for _, e := range l.Elements {
		if e.XMLName.Space == space && e.XMLName.Local == local {
			return true
		}
	}
	return false
}

// statusCode reads the code of an "HTTP/1.1 200 OK" status line; an absent
// status counts as 200.
func statusCode(line string) int {
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return 200
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0
	}
	return code
}

// props merges the properties of the response's successful propstats.
func (r *davResponse) props() davProp {
	var merged davProp
	for _, ps := range r.Propstats {
		if code := statusCode(ps.Status); code < 200 || code > 299 {
			continue
		}
		p := ps.Prop
		if p.ResourceType != nil {
			merged.ResourceType = p.ResourceType
		}
		if p.DisplayName != "" {
			merged.DisplayName = p.DisplayName
		}
		if p.ETag != "" {
			merged.ETag = p.ETag
		}
		if p.CTag != "" {
			merged.CTag = p.CTag
		}
		if p.CurrentUserPrincipal != nil {
			merged.CurrentUserPrincipal = p.CurrentUserPrincipal
		}
		if p.Privileges != nil {
			merged.Privileges = p.Privileges
		}
		if p.CalendarHomeSet != nil {
			merged.CalendarHomeSet = p.CalendarHomeSet
		}
		if p.ScheduleInbox != nil {
			merged.ScheduleInbox = p.ScheduleInbox
		}
		if p.ScheduleOutbox != nil {
			merged.ScheduleOutbox = p.ScheduleOutbox
		}
		if p.UserAddresses != nil {
			merged.UserAddresses = p.UserAddresses
		}
		if p.DefaultCalendar != nil {
			merged.DefaultCalendar = p.DefaultCalendar
		}
		if p.SupportedComponents != nil {
			merged.SupportedComponents = p.SupportedComponents
		}
		if p.CalendarData != nil {
			merged.CalendarData = p.CalendarData
		}
	}
	return merged
}

// isCalendar reports a calendar collection.
func (p *davProp) isCalendar() bool { return p.ResourceType.has(nsCalDAV, "calendar") }

// isSchedulingBox reports a scheduling inbox or outbox (RFC 6638), which
// some servers also mark as calendars.
func (p *davProp) isSchedulingBox() bool {
	return p.ResourceType.has(nsCalDAV, "schedule-inbox") || p.ResourceType.has(nsCalDAV, "schedule-outbox")
}

func (p *davProp) isCollection() bool { return p.ResourceType.has(nsDAV, "collection") }

// holdsEvents is true unless the server lists the supported components and
// VEVENT is not among them (task lists, journals). Absent means any.
func (p *davProp) holdsEvents() bool {
	if p.SupportedComponents == nil || len(p.SupportedComponents.Comp) == 0 {
		return true
	}
	for _, c := range p.SupportedComponents.Comp {
		if strings.EqualFold(c.Name, "VEVENT") {
			return true
		}
	}
	return false
}

// writable reads current-user-privilege-set; absent means writable. Adding
// events needs DAV:bind on the collection, which DAV:write and DAV:all imply.
func (p *davProp) writable() bool {
	if p.Privileges == nil {
		return true
	}
	for _, priv := range p.Privileges.Privilege {
		if priv.has(nsDAV, "all") || priv.has(nsDAV, "write") || priv.has(nsDAV, "bind") {
			return true
		}
	}
	return false
}

// davCondition names the precondition element of a DAV:error body, or "".
func davCondition(body []byte) string {
	var davErr struct {
		XMLName  xml.Name
		Elements []struct {
			XMLName xml.Name
		} `xml:",any"`
	}
	if err := xml.Unmarshal(body, &davErr); err != nil || davErr.XMLName.Space != nsDAV || davErr.XMLName.Local != "error" {
		return ""
	}
	if len(davErr.Elements) == 0 {
		return ""
	}
	return davErr.Elements[0].XMLName.Local
}

// davConditionHref is the DAV:href inside the precondition element of a
// DAV:error body, or "": CalDAV's no-uid-conflict and RFC 6638's
// unique-scheduling-object-resource name the object holding the UID.
func davConditionHref(body []byte) string {
	var davErr struct {
		XMLName  xml.Name
		Elements []struct {
			Href string `xml:"DAV: href"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(body, &davErr); err != nil || davErr.XMLName.Space != nsDAV || davErr.XMLName.Local != "error" {
		return ""
	}
	for _, e := range davErr.Elements {
		if h := strings.TrimSpace(e.Href); h != "" {
			return h
		}
	}
	return ""
}

// uidQueryBody is a calendar-query for the ETags of the events with the
// given UID.
func uidQueryBody(uid string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">` +
		`<d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">` +
		`<c:prop-filter name="UID"><c:text-match collation="i;octet">`)
	xml.EscapeText(&b, []byte(uid))
	b.WriteString(`</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>`)
	return b.Bytes()
}

// propfindBody asks for the named properties, given as "prefix:local" with
// prefixes d (DAV:), c (CalDAV) and cs (calendarserver).
func propfindBody(props ...string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` +
		`<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop>`)
	for _, p := range props {
		b.WriteString("<" + p + "/>")
	}
	b.WriteString("</d:prop></d:propfind>")
	return b.Bytes()
}

// syncCollectionBody is an RFC 6578 report asking for the ETags of members
// changed since token ("" = all members).
func syncCollectionBody(token string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>`)
	xml.EscapeText(&b, []byte(token))
	b.WriteString(`</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`)
	return b.Bytes()
}

// multigetBody is an RFC 4791 calendar-multiget for the given hrefs.
func multigetBody(hrefs []string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">` +
		`<d:prop><d:getetag/><c:calendar-data/></d:prop>`)
	for _, h := range hrefs {
		b.WriteString("<d:href>")
		xml.EscapeText(&b, []byte(h))
		b.WriteString("</d:href>")
	}
	b.WriteString("</c:calendar-multiget>")
	return b.Bytes()
}

func decodeMultistatus(body []byte) (*multistatus, error) {
	var ms multistatus
	if err := xml.Unmarshal(body, &ms); err != nil {
		return nil, fmt.Errorf("invalid multistatus XML: %w", err)
	}
	return &ms, nil
}
