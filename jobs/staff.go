package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	sc "github.com/secondchance/secondchance"
)

// StaffMail returns the sender of staff emails that the storage layer calls (db.DB.StaffMail):
// an invitation or a password reset, with its link into the portal at publicURL.
//
// It sends at once rather than through a River job: a job's arguments are stored in the
// database in clear, and the link's secret must be stored nowhere but as a hash; and the
// manager who invites, or the person who asked for a reset, learns at once if the mail failed.
func StaffMail(m Mailer, from, publicURL string) func(context.Context, sc.StaffMail) error {
	return func(ctx context.Context, sm sc.StaffMail) error {
		return m.Send(ctx, StaffMessage(from, publicURL, sm))
	}
}

// StaffMessage is the email of an invitation or a password reset.
func StaffMessage(from, publicURL string, sm sc.StaffMail) Message {
	base := strings.TrimRight(publicURL, "/") + "/portal/"
	// The message ID is derived from the secret, never the secret itself: headers are logged.
	h := sha256.Sum256([]byte(sm.Token))
	id := hex.EncodeToString(h[:8])
	expires := sm.ExpiresAt.UTC().Format("2 January 2006 at 15:04 UTC")
	var subject, text string
	switch sm.Kind {
	case sc.StaffMailInvitation:
		subject = fmt.Sprintf("You are invited to the %s staff portal", sm.StoreName)
		text = fmt.Sprintf("Hello %s,\n\nyou are invited to work in the Second Chance portal of %s.\n"+
			"Open this link to choose your password; it works once, until %s:\n\n  %sinvitation/%s\n\n"+
			"Then log in at %slogin with %s.\n\nIf you did not expect this, ignore this email.\n",
			sm.Name, sm.StoreName, expires, base, sm.Token, base, sm.To)
	default:
		subject = "Reset your Second Chance portal password"
		text = fmt.Sprintf("Hello %s,\n\nsomeone asked to reset the password of your %s portal account.\n"+
			"Open this link to choose a new one; it works once, until %s:\n\n  %spassword-reset/%s\n\n"+
			"If it was not you, ignore this email: your password stays as it is.\n",
			sm.Name, sm.StoreName, expires, base, sm.Token)
	}
	return Message{From: from, To: sm.To, Subject: subject, Text: text,
		MessageID: fmt.Sprintf("<staff-%s-%s@secondchance>", strings.ToLower(string(sm.Kind)), id)}
}
