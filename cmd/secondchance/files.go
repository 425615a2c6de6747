package main

import (
	"bytes"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
)

// links implements secondchance.Links with the server's public address and signing key.
type links struct {
	signer *sc.LinkSigner
}

func newLinks(cfg Config) *links {
	return &links{signer: &sc.LinkSigner{Key: cfg.LinkSecret, Base: cfg.PublicURL, TTL: cfg.LinkTTL, Now: time.Now}}
}

func (l *links) CertificatePDF(serial string) string {
	return l.signer.Sign(sc.CertificatePDFPath(serial))
}

func (l *links) ReturnLabelPDF(code string) string { return l.signer.Sign(sc.ReturnLabelPDFPath(code)) }

func (l *links) Verify(serial, code string) string { return sc.VerifyURL(l.signer.Base, serial, code) }

// withClient puts the client's address into the context, for rate limits. It is the peer's
// address: behind a proxy, every client shares the proxy's (X-Forwarded-For is not trusted).
func withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(sc.NewContextWithClient(r.Context(), host)))
	})
}

// certificatePDF serves a certificate's stored PDF to the holder of a signed link: as stored
// while it is valid; stamped VOID once voided, so a copy passed on cannot pass for one in
// force. The stamp is appended to the stored bytes, which stay as issued.
func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request) {
	serial, ok := s.signedFile(w, r, sc.CertificatePDFPath)
	if !ok {
		return
	}
	pdf, void, err := s.db.CertificatePDF(r.Context(), serial)
	if err == nil && void != nil {
		pdf, err = s.db.CertificateSetup.Renderer.StampVoid(pdf, void)
	}
	s.servePDF(w, r, serial, pdf, err)
}

// returnLabelPDF renders an RMA's label and packing slip for the holder of a signed link.
func (s *Server) returnLabelPDF(w http.ResponseWriter, r *http.Request) {
	code, ok := s.signedFile(w, r, sc.ReturnLabelPDFPath)
	if !ok {
		return
	}
	l, err := s.db.ReturnLabel(r.Context(), code)
	var pdf []byte
	if err == nil {
		pdf, err = s.db.CertificateSetup.Renderer.ReturnLabel(l)
	}
	s.servePDF(w, r, code, pdf, err)
}

// signedFile reads the name of the PDF a request asks for and checks the link's signature
// against the path pathOf gives for it; on failure it has answered the request.
func (s *Server) signedFile(w http.ResponseWriter, r *http.Request, pathOf func(string) string) (string, bool) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
	if !ok {
		http.NotFound(w, r)
		return "", false
	}
	return name, s.checkLink(w, r, pathOf(name)) == nil
}

func (s *Server) checkLink(w http.ResponseWriter, r *http.Request, path string) error {
	err := s.links.signer.Check(path, r.URL.Query())
	if err != nil {
		status := http.StatusForbidden
		if sc.ErrorCode(err) == sc.ELINKEXPIRED {
			status = http.StatusGone
		}
		http.Error(w, sc.ErrorMessage(err)+"\n", status)
	}
	return err
}

func (s *Server) servePDF(w http.ResponseWriter, r *http.Request, name string, pdf []byte, err error) {
	switch sc.ErrorCode(err) {
	case "":
	case sc.ENOTFOUND:
		http.Error(w, sc.ErrorMessage(err)+"\n", http.StatusNotFound)
		return
	default:
		slog.ErrorContext(r.Context(), "serving a PDF", "name", name, "err", err)
		http.Error(w, "internal error\n", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Write(pdf)
}

var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Verify a donation certificate</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.VALID{color:#176b2c}.VOID{color:#a11}.NOT_FOUND{color:#555}dt{font-weight:600}dd{margin:0 0 .5rem}</style></head>
<body><h1>Verify a donation certificate</h1>
{{if .Limited}}<p class="NOT_FOUND" id="status">Too many failed checks from your address. Try again in {{.Minutes}} minutes.</p>
{{else if not .V}}<form method="get"><p><label>Serial number <input name="serial" value="{{.Serial}}" required></label></p>
<p><label>Verification code <input name="code" required autocomplete="off"></label></p><p><button>Verify</button></p></form>
{{else if eq .V.Status "NOT_FOUND"}}<p class="NOT_FOUND" id="status">NOT FOUND: no certificate matches this serial number and verification code.</p>
{{else}}<p class="{{.V.Status}}" id="status">{{if eq .V.Status "VALID"}}VALID: this certificate is genuine.{{else}}VOID: this certificate was voided and is not in force.{{end}}</p>
<dl><dt>Serial number</dt><dd>{{.V.Serial}}</dd>
<dt>Donor</dt><dd>{{.V.DonorName}}</dd>
<dt>Issued</dt><dd>{{.V.IssuedAt.UTC.Format "2 January 2006"}}</dd>
<dt>Gross proceeds</dt><dd>{{.V.Gross}}</dd>
<dt>Net donated</dt><dd>{{.V.Net}}</dd>
<dt>Charities</dt><dd>{{range $i, $c := .V.Charities}}{{if $i}}; {{end}}{{$c}}{{end}}</dd>
<dt>Store</dt><dd>{{.V.StoreName}}</dd>
{{if .V.VoidReason}}<dt>Why it was voided</dt><dd>{{.V.VoidReason}}</dd>{{end}}
{{if .V.ReplacedBy}}<dt>Replaced by</dt><dd>{{.V.ReplacedBy}}</dd>{{end}}</dl>{{end}}
</body></html>
`))

// verify is the public verification page: /verify/<serial>?code=…. Without the right code it
// says NOT FOUND and nothing else, exactly as for an unknown serial.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	serial := r.PathValue("serial")
	if serial == "" {
		serial = r.URL.Query().Get("serial")
	}
	code := r.URL.Query().Get("code")
	data := struct {
		Serial  string
		V       *sc.CertificateVerification
		Limited bool
		Minutes int
	}{Serial: serial, Minutes: int(sc.VerifyFailureWindow.Minutes())}
	status := http.StatusOK
	if serial != "" && code != "" {
		v, err := s.db.VerifyCertificate(r.Context(), sc.ClientFromContext(r.Context()), serial, code)
		switch sc.ErrorCode(err) {
		case "":
			data.V = v
			if v.Status == sc.CertificateNotFound {
				status = http.StatusNotFound
			}
		case sc.ERATELIMITED:
			data.Limited, status = true, http.StatusTooManyRequests
			w.Header().Set("Retry-After", strconv.Itoa(int(sc.VerifyFailureWindow.Seconds())))
		default:
			slog.ErrorContext(r.Context(), "verifying a certificate", "err", err)
			http.Error(w, "internal error\n", http.StatusInternalServerError)
			return
		}
	}
	var b bytes.Buffer
	if err := verifyPage.Execute(&b, data); err != nil {
		slog.ErrorContext(r.Context(), "verify page", "err", err)
		http.Error(w, "internal error\n", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the code is in the URL
	w.WriteHeader(status)
	w.Write(b.Bytes())
}
