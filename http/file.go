package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	sc "github.com/secondchance/secondchance"
)

// Links implements secondchance.Links with the server's public address and signing key.
type Links struct {
	signer *sc.LinkSigner
}

// NewLinks returns the links of a server of this configuration.
func NewLinks(cfg Config) *Links { return &Links{signer: newSigner(cfg)} }

func newSigner(cfg Config) *sc.LinkSigner {
	return &sc.LinkSigner{Key: cfg.LinkSecret, Base: cfg.PublicURL, TTL: cfg.LinkTTL, Now: time.Now}
}

// CertificatePDF implements secondchance.Links.
func (l *Links) CertificatePDF(serial string) string {
	return l.signer.Sign(sc.CertificatePDFPath(serial))
}

// ReturnLabelPDF implements secondchance.Links.
func (l *Links) ReturnLabelPDF(code string) string { return l.signer.Sign(sc.ReturnLabelPDFPath(code)) }

// LotReceiptPDF implements secondchance.Links.
func (l *Links) LotReceiptPDF(lot int64) string {
	return l.signer.Sign(sc.LotReceiptPDFPath(strconv.FormatInt(lot, 10)))
}

// Verify implements secondchance.Links.
func (l *Links) Verify(serial, code string) string { return sc.VerifyURL(l.signer.Base, serial, code) }

// certificatePDF serves a certificate's PDF to the holder of a signed link.
func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request) {
	serial, ok := s.signedFile(w, r, sc.CertificatePDFPath)
	if !ok {
		return
	}
	pdf, err := s.services.Files.CertificatePDF(r.Context(), serial)
	s.servePDF(w, r, serial, pdf, err)
}

// returnLabelPDF renders an RMA's label and packing slip for the holder of a signed link.
func (s *Server) returnLabelPDF(w http.ResponseWriter, r *http.Request) {
	code, ok := s.signedFile(w, r, sc.ReturnLabelPDFPath)
	if !ok {
		return
	}
	pdf, err := s.services.Files.ReturnLabelPDF(r.Context(), code)
	s.servePDF(w, r, code, pdf, err)
}

// lotReceiptPDF renders a paid lot's buyer's receipt for the holder of a signed link.
func (s *Server) lotReceiptPDF(w http.ResponseWriter, r *http.Request) {
	lot, ok := s.signedFile(w, r, sc.LotReceiptPDFPath)
	if !ok {
		return
	}
	pdf, err := s.services.Files.LotReceiptPDF(r.Context(), lot)
	s.servePDF(w, r, "receipt-"+lot, pdf, err)
}

// signedFile reads the name of the PDF a request asks for and checks the link's signature
// against the path pathOf gives for it; on failure it has answered the request.
func (s *Server) signedFile(w http.ResponseWriter, r *http.Request, pathOf func(string) string) (string, bool) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
	if !ok {
		http.NotFound(w, r)
		return "", false
	}
	if err := s.signer.Check(pathOf(name), r.URL.Query()); err != nil {
		Error(w, r, "checking a signed link", err)
		return "", false
	}
	return name, true
}

func (s *Server) servePDF(w http.ResponseWriter, r *http.Request, name string, pdf []byte, err error) {
	if err != nil {
		Error(w, r, "serving a PDF "+name, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`.pdf"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Write(pdf)
}
