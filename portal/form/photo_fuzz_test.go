package form_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"

	sc "github.com/secondchance/secondchance"
	"github.com/secondchance/secondchance/portal/form"
)

const fuzzBoundary = "fuzzboundary"

// FuzzPhotos feeds arbitrary multipart bodies through the upload's parsing and validation, as
// the portal does: whatever arrives, nothing panics, and what is accepted is a photo in bounds.
func FuzzPhotos(f *testing.F) {
	seed := func(parts ...[2]string) []byte {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.SetBoundary(fuzzBoundary)
		for _, p := range parts {
			w, _ := mw.CreateFormFile("photos", p[0])
			w.Write([]byte(p[1]))
		}
		mw.WriteField("csrf", "x")
		mw.Close()
		return b.Bytes()
	}
	f.Add(seed([2]string{"a.jpg", "\xff\xd8\xff\xe0 jpeg"}))
	f.Add(seed([2]string{"a.png", "\x89PNG\r\n\x1a\n...."}, [2]string{"b.webp", "RIFF\x10\x00\x00\x00WEBPVP8 data"}))
	f.Add(seed([2]string{"", ""}))
	f.Add(seed([2]string{"../../etc/passwd", "root:x:0:0"}))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"x\"\r\n\r\nunterminated"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := http.NewRequest(http.MethodPost, "/portal/items/1/photos", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		if err := r.ParseMultipartForm(1 << 16); err != nil {
			return // the portal answers such a body with its "could not be read" page
		}
		defer r.MultipartForm.RemoveAll()
		files, err := form.Photos(r)
		if err != nil {
			if sc.ErrorCode(err) != sc.EINVALID {
				t.Fatalf("a parse error is INVALID, got %v", err)
			}
			return
		}
		if err := sc.ValidatePhotos(files, 0); err != nil {
			if sc.ErrorCode(err) != sc.EINVALID {
				t.Fatalf("a refused photo is INVALID, got %v", err)
			}
			return
		}
		for _, p := range files {
			if p.Size > sc.MaxPhotoBytes || int64(len(p.Data)) != p.Size || sc.SniffPhoto(p.Data) == "" {
				t.Fatalf("accepted %q: %d bytes of %q", p.Name, p.Size, sc.SniffPhoto(p.Data))
			}
		}
	})
}
