package secondchance

import (
	"fmt"
	"strings"
	"time"
)

// Digest is the email that tells a seller what became of its reports: one per seller and
// batch, and one per seller when an appeal reverses a verdict on its reports.
type Digest struct {
	Kind      string // BATCH or APPEAL
	BatchID   int64
	RefID     int64 // the reversed verdict of an APPEAL digest
	MessageID string
	Week      string
	Seller    Seller
	Items     []DigestItem
	// Reason is the appeal's reason, for an APPEAL digest.
	Reason string
}

// DigestItem is one report in a digest.
type DigestItem struct {
	OrderNumber    string       `db:"order_number"`
	Reason         ReportReason `db:"reason"`
	Status         ReportStatus `db:"status"`
	BuyerHandle    string       `db:"buyer_handle"`
	Verdict        *VerdictKind `db:"verdict"`
	SuspendedUntil *time.Time   `db:"suspended_until"`
}

// Digest kinds.
const (
	DigestBatch  = "BATCH"
	DigestAppeal = "APPEAL"
)

// Text renders the digest as a plain-text email: its subject and body.
func (d *Digest) Text() (subject, body string) {
	var b strings.Builder
	name := d.Seller.Name
	fmt.Fprintf(&b, "Hello %s,\n\n", name)
	if d.Kind == DigestAppeal {
		subject = fmt.Sprintf("Second Chance: a verdict on your reports was reversed on appeal (batch %s)", d.Week)
		fmt.Fprintf(&b, "A verdict of the batch of %s on a buyer you reported was reversed on appeal: %s\n", d.Week, d.Reason)
		b.WriteString("The buyer's sanction was lifted, and the records it had removed from your indicators are back.\n\n")
	} else {
		subject = fmt.Sprintf("Second Chance: the results of your reports, batch %s", d.Week)
		fmt.Fprintf(&b, "The weekly batch of %s decided %d of your reports:\n\n", d.Week, len(d.Items))
	}
	for _, it := range d.Items {
		fmt.Fprintf(&b, "- Order %s, buyer %s, %s: %s", it.OrderNumber, it.BuyerHandle, humanize(string(it.Reason)), humanize(string(it.Status)))
		if it.Verdict != nil && it.Status == ReportUpheld {
			fmt.Fprintf(&b, "; the buyer was %s", sanctionPhrase(*it.Verdict, it.SuspendedUntil))
		}
		b.WriteString(".\n")
	}
	b.WriteString("\nUpheld reports have their buyer's feedback, disputes and return claims on that order removed from your\n")
	b.WriteString("service-level indicators; a closed buyer's orders no longer count at all.\n\n— Second Chance\n")
	return subject, b.String()
}

func sanctionPhrase(v VerdictKind, until *time.Time) string {
	switch v {
	case VerdictWarning:
		return "warned"
	case VerdictSuspension:
		if until != nil {
			return "suspended until " + until.UTC().Format("2 January 2006")
		}
		return "suspended"
	case VerdictAccountClosed:
		return "closed"
	}
	return "not sanctioned"
}

func humanize(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", " ")) }
