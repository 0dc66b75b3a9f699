package datetime

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// vectorsDir holds the parsing vectors copied from other projects, each
// with its licence (testdata/SOURCES.md names the upstream commits).
var vectorsDir = filepath.Join("..", "..", "testdata", "header-parsing")

func TestParse(t *testing.T) {
	tests := []struct {
		in        string
		want      string // RFC 3339 UTC, "" = must fail
		confident bool
		issues    []string
	}{
		{"Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z", true, nil},
		{"Tue, 3 Jan 2023 10:00:00 +0100 (CET)", "2023-01-03T09:00:00Z", true, nil},
		{"3 Jan 2023 10:00:00 +0100", "2023-01-03T09:00:00Z", true, nil},
		{"Wed, 27 Jun 99 04:11 +0900", "1999-06-26T19:11:00Z", false, []string{IssueTwoDigitYear, IssueNoSeconds}},
		{"21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z", false, []string{IssueObsoleteZone, IssueTwoDigitYear}},
		{"Sun, 27 Oct 2002 23:57:07 EST", "2002-10-28T04:57:07Z", true, []string{IssueObsoleteZone}},
		{"Thu, 10 Jul 1997 14:53:31 EDT", "1997-07-10T18:53:31Z", true, []string{IssueObsoleteZone}},
		{"Thu, 10 Jul 1997 14:53:31 PDT", "1997-07-10T21:53:31Z", true, []string{IssueObsoleteZone}},
		{"Thu, 10 Jul 1997 14:53:31 UT", "1997-07-10T14:53:31Z", true, []string{IssueObsoleteZone}},
		{"Thu, 10 Jul 1997 14:53:31 A", "1997-07-10T14:53:31Z", false, []string{IssueMilitaryZone}},
		{"Thu, 10 Jul 1997 14:53:31 ZZZZ", "1997-07-10T14:53:31Z", false, []string{IssueUnknownZone}},
		{"Thu, 10 Jul 1997 14:53:31 EST5EDT", "1997-07-10T19:53:31Z", false, []string{IssueNonstandardZone}},
		{"Thu, 10 Jul 1997 14:53:31 -0000", "1997-07-10T14:53:31Z", true, []string{IssueUnspecifiedZone}},
		{"Mon, 10 Jul 1997 14:53:31 +0000", "1997-07-10T14:53:31Z", false, []string{IssueWeekdayMismatch}},
		{"Thu, 10 Jul 1997 14:53:31", "1997-07-10T14:53:31Z", false, []string{IssueNoZone}},
		{"Fri Feb 07 10:18:12 2003 -0800", "2003-02-07T18:18:12Z", true, []string{IssueNonstandardFormat}},
		{"Mon, 26 Mar 2018 13:35:36.102 +0000 (UTC)", "2018-03-26T13:35:36.102Z", true, []string{IssueNonstandardFormat}},
		{"2018-04-22 02:54:17.028704749 +0000 UTC", "2018-04-22T02:54:17.028704749Z", true, []string{IssueNonstandardFormat}},
		{"2023-01-03T10:00:00Z", "2023-01-03T10:00:00Z", true, []string{IssueNonstandardFormat}},
		{"2023-01-03T10:00:00+01:00", "2023-01-03T09:00:00Z", true, []string{IssueNonstandardFormat}},
		{"4/20/2018 11:01:16 PM -0400 (EDT)", "2018-04-21T03:01:16Z", false, []string{IssueNonstandardFormat}},
		{"Thur, 29 Mar 2018 14:35:36 +0000", "2018-03-29T14:35:36Z", true, nil},
		{"Saturday, 21 Apr 2018 03:01:02 +0000", "2018-04-21T03:01:02Z", true, nil},
		{"Tue, 1 Jul 2003 ((tricky)\n comment) 10:52:37 +0200", "2003-07-01T08:52:37Z", true, nil},
		{"Thu,\n   13\n  Feb\n    1969\n  23:32\n  -0330 (Newfoundland Time)\n", "1969-02-14T03:02:00Z", true, []string{IssueNoSeconds}},
		{"22 Apr 2018", "2018-04-22T00:00:00Z", false, []string{IssueNoTime}},
		{"Tue, 7 All 2026 19:14:51 +0000", "", false, nil},
		{"31 Feb 2021 10:00:00 +0000", "", false, nil},
		{"1 Jan 2021 25:00:00 +0000", "", false, nil},
		{"some numbers 0 1 2 but invalid", "", false, nil},
		{"", "", false, nil},
		{";", "", false, nil},
		{"id 123 for <a@b>", "", false, nil},
	}
	for _, tt := range tests {
		d, ok := Parse(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("Parse(%q) = %v, want failure", tt.in, d.Time)
			}
			continue
		}
		if !ok {
			t.Errorf("Parse(%q) failed, want %s", tt.in, tt.want)
			continue
		}
		if got := d.Time.Format(time.RFC3339Nano); got != tt.want {
			t.Errorf("Parse(%q) time got %v, want %v", tt.in, got, tt.want)
		}
		if d.Confident != tt.confident {
			t.Errorf("Parse(%q) confident got %v, want %v (issues %v)", tt.in, d.Confident, tt.confident, d.Issues)
		}
		for _, is := range tt.issues {
			if !slices.Contains(d.Issues, is) {
				t.Errorf("Parse(%q) issues got %v, want to contain %v", tt.in, d.Issues, is)
			}
		}
	}
}

func TestFindTrailing(t *testing.T) {
	tests := []struct {
		in, want, rest string
	}{
		{"by filter0652p1las1.sendgrid.net with SMTP id filter0652p1las1-5089-5ADBF958-25\n 2018-04-22 02:54:17.028704749 +0000 UTC",
			"2018-04-22T02:54:17.028704749Z", "by filter0652p1las1.sendgrid.net with SMTP id filter0652p1las1-5089-5ADBF958-25\n "},
		{"from x by y with ESMTP id gDQRSEGgSqCsi9tFtF1Vtg\n Mon, 26 Mar 2018 13:35:36.102 +0000 (UTC)",
			"2018-03-26T13:35:36.102Z", "from x by y with ESMTP id gDQRSEGgSqCsi9tFtF1Vtg\n "},
		{"Sun, 22 Apr 2018 02:54:19\n +0000", "2018-04-22T02:54:19Z", ""},
		{"22 Apr 2018", "", ""},
		{"from a by b", "", ""},
	}
	for _, tt := range tests {
		d, at, ok := FindTrailing(tt.in)
		if tt.want == "" {
			if ok {
				t.Errorf("FindTrailing(%q) = %v, want none", tt.in, d.Time)
			}
			continue
		}
		if !ok {
			t.Errorf("FindTrailing(%q) found nothing, want %s", tt.in, tt.want)
			continue
		}
		if got := d.Time.Format(time.RFC3339Nano); got != tt.want {
			t.Errorf("FindTrailing(%q) got %v, want %v", tt.in, got, tt.want)
		}
		if got := tt.in[:at]; got != tt.rest {
			t.Errorf("FindTrailing(%q) prefix got %q, want %q", tt.in, got, tt.rest)
		}
	}
}

type stalwartDate struct {
	Year, Month, Day, Hour, Minute, Second int
	TZBeforeGMT                            bool `json:"tz_before_gmt"`
	TZHour                                 int  `json:"tz_hour"`
	TZMinute                               int  `json:"tz_minute"`
}

// Instant turns a stalwart expectation into the UTC instant.
func (s stalwartDate) Instant() time.Time {
	off := s.TZHour*3600 + s.TZMinute*60
	if s.TZBeforeGMT {
		off = -off
	}
	return time.Date(s.Year, time.Month(s.Month), s.Day, s.Hour, s.Minute, s.Second, 0, time.FixedZone("", off)).UTC()
}

// stalwartDateDisagree lists the stalwart mail-parser date vectors whose
// expectation this package deliberately does not share, with the reason.
var stalwartDateDisagree = map[string]string{
	// Garbage: stalwart reads digits as a date with zone +00:04; we refuse.
	" 4 8 15 16 23 42, 4 8 15 16 23 42, 4 8 15 16 23 42, ": "garbage digits are not a date",
	// A Received header passed as a date: stalwart finds the date after ';'
	// itself; Parse takes only the date part (received.Parse splits it).
	"by 2002:aa7:cd10:0:b0:45c:2c83:1208 with SMTP id b16-20020aa7cd10000000b0045c2c831208mr4220805edw.81.1665423075119;\n\tMon, 10 Oct 2022 10:31:15 -0700 (PDT)": "whole Received header, not a date",
	// A comment broken by a bare newline is still a comment for us.
	"Tue, 1 Jul 2003 ((invalid)\ncomment) 10:52:37 +0200": "comment folding is tolerated",
	// "A" is a military zone, which RFC 5322 §4.3 reads as -0000: same
	// instant as stalwart; EST5EDT: we read the EST part, stalwart too.
}

func TestStalwartDates(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vectorsDir, "stalwart-mail-parser", "date.json"))
	if err != nil {
		t.Fatalf("stalwart vectors: %v", err)
	}
	var cases []struct {
		Header   string
		Expected *stalwartDate
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no stalwart date vectors read")
	}
	pass := 0
	for _, c := range cases {
		if why, ok := stalwartDateDisagree[c.Header]; ok {
			t.Logf("skip %q: %s", c.Header, why)
			continue
		}
		d, ok := Parse(c.Header)
		if c.Expected == nil {
			if ok {
				t.Errorf("Parse(%q) = %v, want failure", c.Header, d.Time)
				continue
			}
			pass++
			continue
		}
		if !ok {
			t.Errorf("Parse(%q) failed, want %v", c.Header, c.Expected.Instant())
			continue
		}
		if want := c.Expected.Instant(); !d.Time.Equal(want) {
			t.Errorf("Parse(%q) got %v, want %v", c.Header, d.Time, want)
			continue
		}
		pass++
	}
	t.Logf("stalwart date vectors: %d/%d (%d documented disagreements)", pass, len(cases), len(stalwartDateDisagree))
}

func TestMHADates(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(vectorsDir, "mha", "received-vectors.json"))
	if err != nil {
		t.Fatalf("MHA vectors: %v", err)
	}
	var v struct {
		DateCases []struct {
			Header string
			Want   int64 `json:"expected_dateNum_ms_utc"`
		} `json:"date_cases"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	pass := 0
	for _, c := range v.DateCases {
		_, after, _ := strings.Cut(c.Header, ";")
		d, ok := Parse(after)
		if !ok {
			t.Errorf("Parse(%q) failed, want %d", after, c.Want)
			continue
		}
		if got := d.Time.UnixMilli(); got != c.Want {
			t.Errorf("Parse(%q) got %d (%v), want %d", after, got, d.Time, c.Want)
			continue
		}
		pass++
	}
	t.Logf("MHA date vectors: %d/%d", pass, len(v.DateCases))
	if len(v.DateCases) == 0 {
		t.Error("no MHA date vectors read")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Tue, 1 Jul 2003 10:52:37 +0200", "2018-04-22 02:54:17.028704749 +0000 UTC",
		"4/20/2018 11:01:16 PM -0400 (EDT)", "((((", "Fri Feb 07 10:18:12 2003 -0800", "1 1 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := Parse(s)
		if ok && d.Time.Location() != time.UTC {
			t.Errorf("Parse(%q) not UTC", s)
		}
		if _, at, ok := FindTrailing(s); ok && (at < 0 || at > len(s)) {
			t.Errorf("FindTrailing(%q) offset %d out of range", s, at)
		}
	})
}
