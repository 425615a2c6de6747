package pdf

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	sc "github.com/secondchance/secondchance"
)

func voidNotice() *sc.VoidNotice {
	return &sc.VoidNotice{Serial: "SCS-2026-000123", VoidedAt: time.Date(2027, 3, 2, 10, 0, 0, 0, time.UTC),
		Reason: "wrong legal name: Zoë Müller GmbH, not Zoë Müller 商店", ReplacedBy: "SCS-2027-000004"}
}

// pages cuts pdftotext's output into pages.
func pages(text string) []string {
	return strings.Split(strings.TrimSuffix(text, "\f"), "\f")
}

// TestStampVoid stamps rendered certificates of one and of several pages: the original is an
// unchanged prefix of the result, which poppler reads without a complaint, with as many pages,
// VOID and the notice on each, and every line of the original's text still there.
func TestStampVoid(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	for _, tc := range []struct {
		name   string
		doc    *sc.CertificateDocument
		notice func(*sc.VoidNotice)
		want   []string // on every page
	}{
		{"OK", multilingual(), func(*sc.VoidNotice) {},
			[]string{"VOID: certificate SCS-2026-000123 was voided on 2 March 2027 and is not in force.", "replaced by", "SCS-2027-000004", "Zoë Müller 商店"}},
		{"ManyPages", annualOf(120), func(*sc.VoidNotice) {},
			[]string{"VOID: certificate SCS-2026-000123 was voided on 2 March 2027", "SCS-2027-000004. Reason: wrong legal name"}},
		{"NoReplacement", multilingual(), func(v *sc.VoidNotice) { v.ReplacedBy, v.Reason = "", "withdrawn: the items were returned" },
			[]string{"Reason: withdrawn: the items"}},
		{"ReasonInOtherScripts", multilingual(), func(v *sc.VoidNotice) { v.Reason = "Фонд «Надежда» ελληνικά 日本製 한국" },
			[]string{"Reason: Фонд «Надежда» ελληνικά 日本製 한국"}},
		{"LongReasonCut", multilingual(), func(v *sc.VoidNotice) { v.Reason = strings.Repeat("a reason that goes on ", 45) + "THE END" },
			[]string{"Reason: a reason that goes on", "…"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			original, err := r.Certificate(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			kept := bytes.Clone(original)
			v := voidNotice()
			tc.notice(v)
			stamped, err := r.StampVoid(original, v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(original, kept) {
				t.Fatal("StampVoid changed its argument")
			}
			if !bytes.HasPrefix(stamped, original) || len(stamped) == len(original) {
				t.Fatal("the original is not a proper prefix of the stamped PDF")
			}
			if got, want := pdfinfo(t, stamped), pdfinfo(t, original); got != want {
				t.Errorf("the stamped PDF has %s pages, the original %s", got, want)
			}
			text, was := pdftotext(t, stamped), pdftotext(t, original)
			ps := pages(text)
			if len(ps) != len(pages(was)) {
				t.Fatalf("pdftotext reads %d pages, the original %d", len(ps), len(pages(was)))
			}
			for i, p := range ps {
				for _, s := range append([]string{"VOID", "VOID: certificate " + v.Serial}, tc.want...) {
					if !strings.Contains(p, s) {
						t.Errorf("page %d lacks %q:\n%s", i+1, s, p)
					}
				}
				if v.ReplacedBy == "" && strings.Contains(p, "replaced") {
					t.Errorf("page %d names a replacement there is none of", i+1)
				}
				if strings.Contains(p, "THE END") {
					t.Errorf("page %d prints the whole of a long reason", i+1)
				}
			}
			// The stamp's lines change how wide pdftotext lays out columns, so the comparison
			// is word by word, line by line.
			words := func(s string) string { return strings.Join(strings.Fields(s), " ") }
			var lines []string
			for _, l := range strings.Split(text, "\n") {
				lines = append(lines, words(l))
			}
			stampedLines := "\n" + strings.Join(lines, "\n") + "\n"
			for _, l := range strings.Split(was, "\n") {
				if l = words(l); l != "" && !strings.Contains(stampedLines, "\n"+l+"\n") {
					t.Errorf("the stamped text lacks the original's line %q", l)
				}
			}
		})
	}
}

// TestStampVoidGolden keeps the text of a stamped certificate, the stamp's fragments of the
// diagonal VOID included, so a change to the stamp shows in review.
func TestStampVoidGolden(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	original, err := r.Certificate(multilingual())
	if err != nil {
		t.Fatal(err)
	}
	stamped, err := r.StampVoid(original, voidNotice())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "void.txt", pdftotext(t, stamped))
}

// TestStampVoidTwice stamps a stamped PDF: the second update chains to the first (/Prev) and
// names its form apart from the first's.
func TestStampVoidTwice(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	original, err := r.Certificate(annualOf(60))
	if err != nil {
		t.Fatal(err)
	}
	once, err := r.StampVoid(original, voidNotice())
	if err != nil {
		t.Fatal(err)
	}
	v := voidNotice()
	v.Reason = "stamped a second time"
	twice, err := r.StampVoid(once, v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(twice, once) {
		t.Fatal("the first stamp is not a prefix of the second")
	}
	if got, want := pdfinfo(t, twice), pdfinfo(t, original); got != want {
		t.Errorf("%s pages, want %s", got, want)
	}
	// The stamps overlap on the page: read the text in the order it is drawn.
	for i, p := range pages(poppler(t, twice, "pdftotext", "-raw", "-enc", "UTF-8", "-", "-")) {
		if !strings.Contains(p, "Reason: wrong legal name") || !strings.Contains(p, "Reason: stamped a second time") {
			t.Errorf("page %d lacks one of the stamps:\n%s", i+1, p)
		}
	}
}

// TestStampVoidRefusesWhatItCannotRead: bytes that are not a PDF it can update are an error,
// never a panic nor a PDF.
func TestStampVoidRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	r := testRenderer(t)
	original, err := r.Certificate(multilingual())
	if err != nil {
		t.Fatal(err)
	}
	startxref := bytes.LastIndex(original, []byte("startxref"))
	for _, tc := range []struct {
		name string
		pdf  []byte
	}{
		{"Empty", nil},
		{"NotAPDF", []byte("hello, world")},
		{"Truncated", original[:len(original)/2]},
		{"TruncatedAfterStartxref", original[:startxref+len("startxref\n")]},
		{"XrefOutsideTheFile", append(bytes.Clone(original[:startxref]), "startxref\n999999999\n%%EOF\n"...)},
		{"XrefPointsIntoAnObject", append(bytes.Clone(original[:startxref]), "startxref\n13\n%%EOF\n"...)},
		// Where a cross-reference stream would be: an object, not a table.
		{"XrefStream", append(bytes.Clone(original[:startxref]), []byte("startxref\n"+strconv.Itoa(bytes.Index(original, []byte("3 0 obj")))+"\n%%EOF\n")...)},
		{"Encrypted", bytes.Replace(original, []byte("/Root "), []byte("/Encrypt 1 0 R /Root "), 1)},
		{"NoCatalog", bytes.Replace(original, []byte("/Root "), []byte("/Root 999 0 R /Old "), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if out, err := r.StampVoid(tc.pdf, voidNotice()); err == nil {
				t.Errorf("stamped it (%d bytes)", len(out))
			}
		})
	}
	if _, err := r.StampVoid(original, nil); err == nil {
		t.Error("stamped without a notice")
	}
}

// FuzzReadPDF: no input makes the reader or the overlay panic or loop.
func FuzzReadPDF(f *testing.F) {
	r := testRenderer(f)
	original, err := r.Certificate(multilingual())
	if err != nil {
		f.Fatal(err)
	}
	stamp, err := r.voidStamp(voidNotice())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(original)
	f.Add(stamp)
	f.Add([]byte("xref\n0 1\n0000000000 65535 f \ntrailer\n<</Size 1 /Root 1 0 R>>\nstartxref\n0\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dst, err := readPDF(b)
		if err != nil {
			return
		}
		if out, err := overlay(dst, stamp); err == nil && !bytes.HasPrefix(out, b) {
			t.Error("the input is not a prefix of the output")
		}
	})
}

// BenchmarkStampVoid measures what a void certificate's download costs on top of reading it:
// mostly gofpdf embedding the fonts of the notice, more so when the reason needs the CJK one.
func BenchmarkStampVoid(b *testing.B) {
	r := testRenderer(b)
	original, err := r.Certificate(multilingual())
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, reason string }{
		{"latin", "wrong legal name: Zoë Müller GmbH"},
		{"with-cjk", voidNotice().Reason},
	} {
		b.Run(tc.name, func(b *testing.B) {
			v := voidNotice()
			v.Reason = tc.reason
			size := 0
			for b.Loop() {
				out, err := r.StampVoid(original, v)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out) - len(original)
			}
			b.ReportMetric(float64(size), "bytes/stamp")
		})
	}
}
