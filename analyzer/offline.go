package analyzer

// The offline reading of the header: the Received trail and its trust
// boundary, the verdicts the receivers recorded, and the vendor headers.

import (
	"strings"

	"headerlens/analyzer/message"
	"headerlens/analyzer/recorded"
	"headerlens/analyzer/trail"
	"headerlens/analyzer/vendor"
)

// TrailInfo is what the Received trail says as a whole.
type TrailInfo struct {
	// TotalSeconds is the time from the oldest to the newest dated hop.
	TotalSeconds *float64 `json:"totalSeconds,omitempty"`
	// Boundary is the hop where the final receiving organization accepted
	// the message; nil when it cannot be told.
	Boundary *trail.Boundary `json:"boundary,omitempty"`
}

// offlineReading is the reading of the header that needs no DNS: trail, recorded
// verdicts and vendor headers.
type offlineReading struct {
	trail    trail.Result
	verdicts []recorded.Verdict
	vendor   []vendor.Decoded
	// vendorSkipped counts vendor fields beyond vendor.Decode's limits.
	vendorSkipped int
}

func values(fields []message.Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Value
	}
	return out
}

// readOffline builds the trail, finds the trust boundary and marks the
// recorded verdicts written at or above it as trusted.
func readOffline(msg *message.Message) offlineReading {
	var f offlineReading
	f.trail = trail.Build(values(msg.Get("Received")), trail.Evidence{
		AuthenticationResults: values(msg.Get("Authentication-Results")),
		ReceivedSPF:           values(msg.Get("Received-SPF")),
	})
	f.verdicts = recorded.ParseMessage(msg.Fields)
	if b := f.trail.Boundary; b != nil {
		f.verdicts = recorded.MarkTrusted(f.verdicts, trustedAt(msg, b))
	}
	if f.verdicts == nil {
		f.verdicts = []recorded.Verdict{}
	}
	f.vendor, f.vendorSkipped = vendor.Decode(msg.Fields)
	if f.vendor == nil {
		f.vendor = []vendor.Decoded{}
	}
	return f
}

// trustedAt says which recorded verdicts the final receiving organization
// wrote (RFC 8601 §5, §7.1):
//   - every field above the boundary's Received field, added after the
//     message crossed into the organization;
//   - a field in the boundary's own trace block (below its Received field,
//     above the next older one) whose authserv-id belongs to the receiving
//     organization: receivers such as Gmail write their verdicts there,
//     and RFC 8601 §5 requires them to remove any such field that arrived
//     with the message bearing their authserv-id.
func trustedAt(msg *message.Message, b *trail.Boundary) func(recorded.Verdict) bool {
	pos := receivedPosition(msg, b.ReceivedIndex)
	next := receivedPosition(msg, b.ReceivedIndex+1)
	org := trail.OperatorDomain(b.By)
	if b.AuthServID != "" {
		if o := trail.OperatorDomain(b.AuthServID); o != "" {
			org = o
		}
	}
	return func(v recorded.Verdict) bool {
		if v.Index < pos {
			return true
		}
		return v.Index > pos && v.Index < next && org != "" && v.AuthservID != "" &&
			trail.OperatorDomain(v.AuthservID) == org
	}
}

// receivedPosition returns the position in msg.Fields of the k-th Received
// field (0 = topmost).
func receivedPosition(msg *message.Message, k int) int {
	n := 0
	for i, f := range msg.Fields {
		if strings.EqualFold(f.Name, "Received") {
			if n == k {
				return i
			}
			n++
		}
	}
	return len(msg.Fields)
}
