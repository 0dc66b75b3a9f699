// Package datetime parses the dates found in mail headers (the Date: field
// and the date-time after the ";" of a Received field) tolerantly.
//
// The strict grammar is RFC 5322 §3.3 (date-time). The obsolete forms of
// RFC 5322 §4.3 are accepted too: two-digit and three-digit years, the
// named zones UT, GMT, EST, EDT, CST, CDT, MST, MDT, PST and PDT, the
// military one-letter zones, and comments or folding white space anywhere.
// Beyond the RFCs, forms written by real MTAs are read on a best-effort
// basis: asctime order ("Fri Feb 07 10:18:12 2003 -0800"), ISO 8601
// ("2018-04-22 02:54:17.028704749 +0000 UTC", "2023-01-03T10:00:00Z"),
// US numeric dates ("4/20/2018 11:01:16 PM"), fractional seconds, missing
// seconds, missing or wrong weekday and non-RFC zone abbreviations (CET).
//
// Every result is in UTC and says whether it was read confidently, that is
// whether the instant is unambiguous, and which departures from RFC 5322 §3.3
// were tolerated (Issues). Work is bounded: at most MaxInput bytes are read.
package datetime

import (
	"headerlens/analyzer/internal/asciifold"
	"slices"
	"strings"
	"time"
)

// MaxInput is the number of bytes of input Parse reads; the rest is
// ignored so that hostile input costs bounded work.
const MaxInput = 1024

// maxTail is how far from the end FindTrailing looks for a date.
const maxTail = 160

// Issue words explain what Parse tolerated. They are stable so callers can
// turn them into findings.
const (
	// IssueObsoleteZone: a named zone of RFC 5322 §4.3 (UT, GMT, EST...).
	IssueObsoleteZone = "obsolete-zone"
	// IssueMilitaryZone: a one-letter military zone; RFC 5322 §4.3 says
	// to read it as -0000 because RFC 822 defined the signs backwards.
	IssueMilitaryZone = "military-zone"
	// IssueNonstandardZone: a zone abbreviation no RFC defines (CET, JST...).
	IssueNonstandardZone = "nonstandard-zone"
	// IssueUnknownZone: an unrecognised zone word, read as UTC.
	IssueUnknownZone = "unknown-zone"
	// IssueNoZone: no zone at all, read as UTC.
	IssueNoZone = "no-zone"
	// IssueUnspecifiedZone: "-0000", RFC 5322 §3.3: the time is UTC but the
	// local zone of the writer is unknown.
	IssueUnspecifiedZone = "unspecified-zone"
	// IssueTwoDigitYear: RFC 5322 §4.3 two-digit (or three-digit) year.
	IssueTwoDigitYear = "two-digit-year"
	// IssueWeekdayMismatch: the day-of-week does not match the date
	// (RFC 5322 §3.3 requires it to).
	IssueWeekdayMismatch = "weekday-mismatch"
	// IssueNoSeconds: seconds omitted (allowed by RFC 5322 §3.3).
	IssueNoSeconds = "no-seconds"
	// IssueNoTime: no time of day, midnight assumed.
	IssueNoTime = "no-time"
	// IssueNonstandardFormat: the text is not in RFC 5322 §3.3 form
	// (asctime or ISO order, numeric month, fractional seconds, AM/PM...).
	IssueNonstandardFormat = "nonstandard-format"
)

// Date is a parsed header date.
type Date struct {
	// Time is the instant, in UTC.
	Time time.Time
	// Offset is the zone offset the writer stated, in seconds east of UTC
	// (0 when unknown).
	Offset int
	// Confident is true when the instant is unambiguous: a full date, a
	// time and a zone with a defined offset, and no contradicting weekday.
	Confident bool
	// Issues lists what was tolerated (the Issue* words), in the order met.
	Issues []string
}

func (d *Date) issue(s string) {
	for _, x := range d.Issues {
		if x == s {
			return
		}
	}
	d.Issues = append(d.Issues, s)
}

// StripComments removes RFC 5322 §3.2.2 comments (nested parentheses,
// with quoted-pairs) and replaces each by a space. An unclosed comment runs
// to the end of the text.
func StripComments(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case depth > 0 && c == '\\':
			i++
		case c == '(':
			if depth == 0 {
				b.WriteByte(' ')
			}
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// rfcZone returns the offset of an obs-zone name of RFC 5322 §4.3, in
// hours east of UTC. The zone tables are switches, not maps: a map literal
// is code that runs when the program starts, in the page's WebAssembly
// module too.
func rfcZone(u string) (hours int, ok bool) {
	switch u {
	case "UT", "GMT", "UTC", "Z":
		return 0, true
	case "EST", "CDT":
		return -5, true
	case "EDT":
		return -4, true
	case "CST", "MDT":
		return -6, true
	case "MST", "PDT":
		return -7, true
	case "PST":
		return -8, true
	}
	return 0, false
}

// otherZone returns the offset of a common zone abbreviation that no RFC
// defines, in minutes east of UTC.
func otherZone(u string) (minutes int, ok bool) {
	switch u {
	case "CET", "MET", "MEZ", "WEST", "BST":
		return 60, true
	case "CEST", "MEST", "MESZ", "EET":
		return 120, true
	case "WET":
		return 0, true
	case "EEST", "MSK":
		return 180, true
	case "JST", "KST":
		return 540, true
	case "HKT", "SGT", "AWST":
		return 480, true
	case "ACST":
		return 570, true
	case "ACDT":
		return 630, true
	case "AEST":
		return 600, true
	case "AEDT":
		return 660, true
	case "NZST":
		return 720, true
	case "NZDT":
		return 780, true
	case "HST":
		return -600, true
	case "AKST":
		return -540, true
	case "AKDT":
		return -480, true
	case "AST":
		return -240, true
	case "ADT":
		return -180, true
	case "NST":
		return -210, true
	case "NDT":
		return -150, true
	case "IST":
		return 330, true
	}
	return 0, false
}

var fullMonthNames = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
var fullDayNames = [...]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func monthIndex(w string) int {
	w = asciifold.LowerNonASCII(strings.TrimSuffix(w, "."))
	if len(w) < 3 {
		return 0
	}
	for i, m := range monthNames {
		if asciifold.HasPrefix(w, m) {
			if asciifold.PrefixOf(w, fullMonthNames[i]) || asciifold.Equal(w, "sept") {
				return i + 1
			}
		}
	}
	return 0
}

func weekdayIndex(w string) int {
	w = asciifold.LowerNonASCII(strings.TrimSuffix(w, "."))
	if len(w) < 3 {
		return -1
	}
	for i, d := range dayNames {
		if asciifold.HasPrefix(w, d) && (asciifold.PrefixOf(w, fullDayNames[i]) || asciifold.Equal(w, "thur") || asciifold.Equal(w, "thurs") || asciifold.Equal(w, "tues")) {
			return i
		}
	}
	return -1
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isAlpha(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// state collects the parts found while reading tokens.
type state struct {
	day, month, year, yearDigits int
	nums                         [3]string // the bare numbers, nnums of them
	nnums                        int
	hour, min, sec, nsec         int
	hasTime, hasSec              bool
	ampm                         int // 0 none, 1 AM, 2 PM
	weekday                      int
	zoneSet                      bool
	zoneNumeric                  bool
	offset                       int // seconds
	isoOrder, numericMonth       bool
	fraction                     bool
	d                            Date
}

// parseClock reads h:mm[:ss[.frac]].
func (st *state) parseClock(t string) bool {
	var buf [3]string
	parts := buf[:0]
	for len(parts) < 3 {
		i := strings.IndexByte(t, ':')
		if i < 0 {
			break
		}
		parts = append(parts, t[:i])
		t = t[i+1:]
	}
	if len(parts) == 3 {
		return false // more than two colons
	}
	parts = append(parts, t)
	if len(parts) < 2 {
		return false
	}
	frac := ""
	if len(parts) == 3 {
		if i := strings.IndexAny(parts[2], ".,"); i >= 0 {
			frac = parts[2][i+1:]
			parts[2] = parts[2][:i]
			if !isDigits(frac) {
				return false
			}
		}
	}
	for _, p := range parts {
		if !isDigits(p) || len(p) > 2 {
			return false
		}
	}
	st.hour, st.min = atoi(parts[0]), atoi(parts[1])
	if len(parts) == 3 {
		st.sec = atoi(parts[2])
		st.hasSec = true
	}
	if frac != "" {
		st.fraction = true
		for len(frac) < 9 {
			frac += "0"
		}
		st.nsec = atoi(frac[:9])
	}
	st.hasTime = true
	return true
}

// parseNumericZone reads +hhmm, -hhmm, +hh:mm or +hh.
func (st *state) parseNumericZone(t string) bool {
	sign := 1
	if t[0] == '-' {
		sign = -1
	}
	z := strings.Replace(t[1:], ":", "", 1)
	if !isDigits(z) || (len(z) != 4 && len(z) != 2) {
		return false
	}
	h, m := atoi(z[:2]), 0
	if len(z) == 4 {
		m = atoi(z[2:])
	}
	if h > 23 || m > 59 {
		return false
	}
	if st.zoneSet && st.zoneNumeric {
		return true // keep the first numeric zone
	}
	st.zoneSet, st.zoneNumeric = true, true
	st.offset = sign * (h*3600 + m*60)
	st.d.Issues = removeZoneIssues(st.d.Issues)
	if t == "-0000" || t == "-00:00" {
		// RFC 5322 §3.3: "-0000" means UTC with no local zone information.
		st.d.issue(IssueUnspecifiedZone)
	}
	return true
}

func removeZoneIssues(in []string) []string {
	out := in[:0]
	for _, x := range in {
		switch x {
		case IssueObsoleteZone, IssueMilitaryZone, IssueNonstandardZone, IssueUnknownZone:
			continue
		}
		out = append(out, x)
	}
	return out
}

// namedZone handles an alphabetic word after the time; it reports whether
// the word was taken as a zone.
func (st *state) namedZone(w string) bool {
	u := strings.ToUpper(w)
	if st.zoneNumeric {
		// "+0000 UTC", "+0100 CET": the numeric zone wins.
		_, a := rfcZone(u)
		_, b := otherZone(u)
		return a || b || (len(u) <= 5 && st.hasTime && u == w)
	}
	if h, ok := rfcZone(u); ok {
		st.zoneSet, st.offset = true, h*3600
		if u != "UTC" && u != "Z" {
			// RFC 5322 §4.3 obs-zone.
			st.d.issue(IssueObsoleteZone)
		} else if u == "UTC" {
			st.d.issue(IssueNonstandardZone)
		}
		return true
	}
	if m, ok := otherZone(u); ok {
		st.zoneSet, st.offset = true, m*60
		st.d.issue(IssueNonstandardZone)
		return true
	}
	if len(u) == 1 && u != "J" {
		// RFC 5322 §4.3: military zones SHOULD be considered "-0000".
		st.zoneSet, st.offset = true, 0
		st.d.issue(IssueMilitaryZone)
		return true
	}
	// "EST5EDT" (POSIX TZ) and other zone-looking words after the time.
	if st.hasTime && len(u) >= 3 && len(u) <= 8 {
		if h, ok := rfcZone(u[:3]); ok && (len(u) == 3 || (u[3] >= '0' && u[3] <= '9')) {
			st.zoneSet, st.offset = true, h*3600
			st.d.issue(IssueNonstandardZone)
			return true
		}
		if isAlpha(u) && len(u) <= 5 && u == w {
			st.zoneSet, st.offset = true, 0
			st.d.issue(IssueUnknownZone)
			return true
		}
	}
	return false
}

// token classifies one word; it reports false for a word that cannot be
// part of a date.
func (st *state) token(t string) bool {
	t = strings.Trim(t, ",")
	if t == "" {
		return true
	}
	c := t[0]
	switch {
	case c == '+' || (c == '-' && len(t) > 1 && t[1] >= '0' && t[1] <= '9'):
		return st.parseNumericZone(t)
	case c >= '0' && c <= '9':
		return st.numeric(t)
	}
	if isAlpha(strings.TrimSuffix(t, ".")) {
		w := strings.TrimSuffix(t, ".")
		// w is ASCII letters only (isAlpha).
		switch {
		case asciifold.Equal(w, "am") || asciifold.Equal(w, "a.m"):
			st.ampm = 1
			return true
		case asciifold.Equal(w, "pm") || asciifold.Equal(w, "p.m"):
			st.ampm = 2
			return true
		}
		if m := monthIndex(w); m > 0 && st.month == 0 {
			st.month = m
			if st.nnums == 0 {
				// asctime order, "Feb 07 2003": not RFC 5322 §3.3.
				st.d.issue(IssueNonstandardFormat)
			}
			return true
		}
		if d := weekdayIndex(w); d >= 0 && st.weekday < 0 {
			st.weekday = d
			return true
		}
		return st.namedZone(w)
	}
	// "EST5EDT", "A.M."
	if len(t) >= 4 && isAlpha(t[:3]) {
		return st.namedZone(t)
	}
	return false
}

func (st *state) numeric(t string) bool {
	// ISO 8601 "2023-01-03T10:00:00Z" or "2023-01-03T10:00:00+01:00".
	if i := strings.IndexAny(t, "Tt"); i > 0 && strings.Contains(t[:i], "-") {
		if !st.numeric(t[:i]) {
			return false
		}
		rest := t[i+1:]
		j := strings.IndexAny(rest, "Zz+-")
		if j < 0 {
			return st.parseClock(rest)
		}
		if !st.parseClock(rest[:j]) {
			return false
		}
		if rest[j] == 'Z' || rest[j] == 'z' {
			if j+1 != len(rest) {
				return false
			}
			st.zoneSet, st.zoneNumeric, st.offset = true, true, 0
			return true
		}
		return st.parseNumericZone(rest[j:])
	}
	if strings.Contains(t, ":") {
		// a time, possibly with a zone glued on ("10:00:00+0100").
		if j := strings.IndexAny(t, "+-Zz"); j > 0 {
			if !st.parseClock(t[:j]) {
				return false
			}
			if t[j] == 'Z' || t[j] == 'z' {
				st.zoneSet, st.zoneNumeric, st.offset = true, true, 0
				return j+1 == len(t)
			}
			return st.parseNumericZone(t[j:])
		}
		if st.hasTime {
			return false
		}
		return st.parseClock(t)
	}
	for _, sep := range []string{"-", "/", "."} {
		if !strings.Contains(t, sep) {
			continue
		}
		parts := strings.Split(t, sep)
		if len(parts) != 3 || st.day != 0 || st.month != 0 {
			return false
		}
		a, b, c := parts[0], parts[1], parts[2]
		st.d.issue(IssueNonstandardFormat)
		switch {
		case isDigits(a) && isDigits(b) && isDigits(c) && len(a) == 4:
			// ISO 8601 year-month-day.
			st.year, st.yearDigits, st.month, st.day = atoi(a), 4, atoi(b), atoi(c)
			st.isoOrder = true
		case isDigits(a) && isDigits(b) && isDigits(c) && sep == "." && len(c) >= 2:
			// European day.month.year.
			st.day, st.month = atoi(a), atoi(b)
			st.setYear(c)
			st.numericMonth = true
		case isDigits(a) && isDigits(b) && isDigits(c) && len(c) >= 2:
			// US month/day/year, as MUAs and some MTAs write it.
			st.month, st.day = atoi(a), atoi(b)
			st.setYear(c)
			st.numericMonth = true
		case isDigits(a) && monthIndex(b) > 0 && isDigits(c):
			// "25-Dec-2003".
			st.day, st.month = atoi(a), monthIndex(b)
			st.setYear(c)
		default:
			return false
		}
		return len(a) <= 4 && len(b) <= 9 && len(c) <= 4
	}
	if !isDigits(t) || len(t) > 4 {
		return false
	}
	if st.nnums >= len(st.nums) {
		return false
	}
	st.nums[st.nnums] = t
	st.nnums++
	return true
}

func (st *state) setYear(y string) {
	st.year, st.yearDigits = atoi(y), len(y)
}

// Parse reads a date-time. It fails only when no plausible date is
// present; ok is false then. Words that cannot belong to a date (outside
// comments) make it fail, so that a date is never invented from unrelated
// text.
func Parse(s string) (Date, bool) {
	if len(s) > MaxInput {
		s = s[:MaxInput]
	}
	st := state{weekday: -1}
	n := 0
	for i := 0; i < len(s); {
		// Comments separate words like white space (StripComments).
		for i < len(s) {
			if isSpace(s[i]) || s[i] == ',' {
				i++
			} else if s[i] == '(' {
				i = skipComment(s, i)
			} else {
				break
			}
		}
		j := i
		for j < len(s) && !isSpace(s[j]) && s[j] != ',' && s[j] != '(' {
			j++
		}
		if j == i {
			break
		}
		if n++; n > 16 || !st.token(s[i:j]) {
			return Date{}, false
		}
		i = j
	}
	return st.finish()
}

// skipComment returns the offset after the comment that starts at s[i]
// (RFC 5322 §3.2.2: nested, with quoted-pairs; an unclosed comment runs to
// the end), as StripComments reads it.
func skipComment(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case depth > 0 && c == '\\':
			i++
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(s)
}

func (st *state) finish() (Date, bool) {
	d := st.d
	nums := st.nums[:st.nnums]
	if st.month != 0 && st.day == 0 {
		// Named month: one number is the day, the other the year.
		switch len(nums) {
		case 2:
			a, b := nums[0], nums[1]
			if len(a) >= 3 && len(b) <= 2 {
				a, b = b, a // "2003 Feb 07"
			}
			st.day = atoi(a)
			st.setYear(b)
			if len(nums[0]) >= 3 {
				d.issue(IssueNonstandardFormat)
			}
		default:
			return Date{}, false
		}
	} else if st.month == 0 && st.day == 0 {
		// "20 11 79": day month year with a numeric month (stalwart vectors).
		if len(nums) != 3 {
			return Date{}, false
		}
		st.day, st.month = atoi(nums[0]), atoi(nums[1])
		st.setYear(nums[2])
		st.numericMonth = true
		d.issue(IssueNonstandardFormat)
	} else if len(nums) != 0 {
		return Date{}, false
	}
	switch {
	case st.yearDigits == 4:
	case st.yearDigits == 2 && st.year < 50:
		// RFC 5322 §4.3: a two-digit year below 50 is 20YY.
		st.year += 2000
		d.issue(IssueTwoDigitYear)
	case st.yearDigits <= 3:
		// RFC 5322 §4.3: other two- and three-digit years add 1900.
		st.year += 1900
		d.issue(IssueTwoDigitYear)
	default:
		return Date{}, false
	}
	if st.year < 1900 || st.month < 1 || st.month > 12 || st.day < 1 || st.day > 31 {
		return Date{}, false
	}
	if st.day > daysIn(st.month, st.year) {
		return Date{}, false
	}
	if st.ampm != 0 {
		d.issue(IssueNonstandardFormat)
		if !st.hasTime || st.hour < 1 || st.hour > 12 {
			return Date{}, false
		}
		if st.ampm == 1 && st.hour == 12 {
			st.hour = 0
		} else if st.ampm == 2 && st.hour < 12 {
			st.hour += 12
		}
	}
	// RFC 5322 §3.3: time-of-day; second 60 is a leap second.
	if st.hour > 23 || st.min > 59 || st.sec > 60 {
		return Date{}, false
	}
	if !st.hasTime {
		d.issue(IssueNoTime)
	} else if !st.hasSec {
		d.issue(IssueNoSeconds)
	}
	if st.fraction {
		d.issue(IssueNonstandardFormat)
	}
	if !st.zoneSet {
		d.issue(IssueNoZone)
	}
	loc := time.FixedZone("", st.offset)
	t := time.Date(st.year, time.Month(st.month), st.day, st.hour, st.min, st.sec, st.nsec, loc)
	if st.weekday >= 0 && int(t.Weekday()) != st.weekday {
		d.issue(IssueWeekdayMismatch)
	}
	d.Time = t.UTC()
	d.Offset = st.offset
	d.Confident = true
	for _, x := range d.Issues {
		switch x {
		case IssueObsoleteZone, IssueNoSeconds, IssueUnspecifiedZone:
			// defined by RFC 5322; the instant is still exact.
		case IssueNonstandardFormat:
			if st.numericMonth || st.ampm != 0 {
				d.Confident = false
			}
		default:
			d.Confident = false
		}
	}
	return d, true
}

func daysIn(m, y int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FindTrailing looks for a date that ends the text, for Received fields
// written without the ";" of RFC 5322 §3.6.7. It returns the date and the
// byte offset where it starts. Only dates with a year and a time of day
// are accepted, and only the last bytes of s are examined.
func FindTrailing(s string) (Date, int, bool) {
	base := 0
	if len(s) > maxTail {
		base = len(s) - maxTail
	}
	tail := s[base:]
	// Find the last closing parenthesis outside a comment: a trailing
	// comment such as "(PDT)" is part of the date, but text before an
	// earlier comment is not searched through it.
	for i := 0; i < len(tail); i++ {
		if i > 0 && !isSpace(tail[i-1]) {
			continue
		}
		if isSpace(tail[i]) || tail[i] == ')' {
			continue
		}
		if c := tail[i]; !(c >= '0' && c <= '9') && !isAlpha(string(c)) {
			continue
		}
		d, ok := Parse(tail[i:])
		if !ok {
			continue
		}
		has := true
		for _, x := range d.Issues {
			if x == IssueNoTime {
				has = false
			}
		}
		if has {
			return d, base + i, true
		}
	}
	return Date{}, 0, false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// FindLeading looks for a date that starts the text and is followed by
// other words ("Thu, 20 Mar 03 10:06:43 +0100 for <a@example>", written
// by MTAs that put clauses after the date). It returns the date and the
// byte offset where the rest starts. Only dates with a year and a time of
// day are accepted.
func FindLeading(s string) (Date, int, bool) {
	if len(s) > maxTail {
		s = s[:maxTail]
	}
	var ends []int
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) && (i+1 == len(s) || isSpace(s[i+1])) {
			ends = append(ends, i+1)
		}
	}
	for k := min(len(ends), 12); k >= 3; k-- {
		d, ok := Parse(s[:ends[k-1]])
		if !ok || slices.Contains(d.Issues, IssueNoTime) {
			continue
		}
		return d, ends[k-1], true
	}
	return Date{}, 0, false
}
