package secondchance

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ELINKEXPIRED and ELINKINVALID: a download link past its time, or not one this server signed.
const (
	ELINKEXPIRED = "LINK_EXPIRED"
	ELINKINVALID = "LINK_INVALID"
)

// LinkSigner makes and checks expiring download links: the path, an expiry and an HMAC of
// both, so any replica with the key serves them and nobody can forge or extend one.
type LinkSigner struct {
	Key  []byte
	Base string // the public URL the links start with, e.g. https://secondchance.example
	TTL  time.Duration
	Now  func() time.Time
}

// Sign returns the absolute link to path, valid for TTL.
func (s *LinkSigner) Sign(path string) string {
	exp := strconv.FormatInt(s.Now().Add(s.TTL).Unix(), 10)
	return s.Base + path + "?expires=" + exp + "&sig=" + s.mac(path, exp)
}

// Check verifies a link's query for path.
func (s *LinkSigner) Check(path string, q url.Values) error {
	exp, sig := q.Get("expires"), q.Get("sig")
	want := s.mac(path, exp)
	if exp == "" || !hmac.Equal([]byte(sig), []byte(want)) {
		return Errorf(ELINKINVALID, "this link is not valid; ask for a new one")
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || s.Now().Unix() > n {
		return Errorf(ELINKEXPIRED, "this link has expired; ask for a new one")
	}
	return nil
}

func (s *LinkSigner) mac(path, exp string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(path + "\n" + exp))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// VerifyURL is the public verification page of a certificate under base, with its code.
func VerifyURL(base, serial, code string) string {
	return strings.TrimRight(base, "/") + "/verify/" + url.PathEscape(serial) + "?code=" + url.QueryEscape(code)
}

// CertificatePDFPath is where a certificate's PDF is served.
func CertificatePDFPath(serial string) string {
	return "/files/certificates/" + url.PathEscape(serial) + ".pdf"
}

// LotReceiptPDFPath is where a paid lot's buyer's receipt is served, by the lot's ID.
func LotReceiptPDFPath(lot string) string { return "/files/receipts/" + url.PathEscape(lot) + ".pdf" }

// ReturnLabelPDFPath is where an RMA's label and packing slip are served.
func ReturnLabelPDFPath(code string) string { return "/files/labels/" + url.PathEscape(code) + ".pdf" }

type clientKey struct{}

// NewContextWithClient returns ctx carrying the client's address, which rate limits key on.
func NewContextWithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

// ClientFromContext returns the client's address, or "unknown".
func ClientFromContext(ctx context.Context) string {
	if c, ok := ctx.Value(clientKey{}).(string); ok && c != "" {
		return c
	}
	return "unknown"
}
