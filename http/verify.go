package http

import (
	"bytes"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"

	sc "github.com/secondchance/secondchance"
)

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
	if err := errors.Join(sc.CheckString("serial", serial), sc.CheckString("code", code)); err != nil {
		// Text the store cannot hold matches no certificate; say so rather than fail in SQL.
		Error(w, r, "verifying a certificate", sc.AsErrors(err)[0])
		return
	}
	if serial != "" && code != "" {
		v, err := s.services.Certificates.VerifyCertificate(r.Context(), sc.ClientFromContext(r.Context()), serial, code)
		switch sc.ErrorCode(err) {
		case "":
			data.V = v
			if v.Status == sc.CertificateNotFound {
				status = StatusOf(sc.ENOTFOUND)
			}
		case sc.ERATELIMITED:
			data.Limited, status = true, StatusOf(sc.ERATELIMITED)
			w.Header().Set("Retry-After", strconv.Itoa(int(sc.VerifyFailureWindow.Seconds())))
		default:
			Error(w, r, "verifying a certificate", err)
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
