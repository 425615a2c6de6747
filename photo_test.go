package secondchance_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestSniffPhoto(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, data, want string
	}{
		{"JPEG", "\xff\xd8\xff\xe0\x00\x10JFIF", sc.PhotoJPEG},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00", sc.PhotoPNG},
		{"WebPLossy", "RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00", sc.PhotoWebP},
		{"WebPLossless", "RIFF\x24\x00\x00\x00WEBPVP8L\x18\x00", sc.PhotoWebP},
		{"ErrGIF", "GIF89a\x01\x00\x01\x00", ""},
		{"ErrSVG", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, ""},
		{"ErrHTML", "<!doctype html><title>x</title>", ""},
		{"ErrRIFFNotWebP", "RIFF\x24\x00\x00\x00WAVEfmt ", ""},
		{"ErrShort", "\xff\xd8", ""},
		{"ErrEmpty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, sc.SniffPhoto([]byte(tc.data)))
		})
	}
}

func TestValidatePhotos(t *testing.T) {
	t.Parallel()
	jpg := []byte("\xff\xd8\xff\xe0 a jpeg")
	file := func(name string, data []byte) sc.PhotoFile {
		return sc.PhotoFile{Name: name, Size: int64(len(data)), Data: data}
	}
	for _, tc := range []struct {
		name     string
		files    []sc.PhotoFile
		existing int
		fields   []string
	}{
		{"OK", []sc.PhotoFile{file("a.jpg", jpg), file("b", jpg)}, 0, nil},
		{"OKUpToTheLimit", []sc.PhotoFile{file("a.jpg", jpg)}, sc.MaxItemPhotos - 1, nil},
		{"ErrNone", nil, 0, []string{"photos"}},
		{"ErrTooMany", []sc.PhotoFile{file("a.jpg", jpg), file("b.jpg", jpg)}, sc.MaxItemPhotos - 1, []string{"photos"}},
		{"ErrEachFile", []sc.PhotoFile{file("ok.jpg", jpg), file("text.jpg", []byte("text")), {Name: "big.jpg", Size: sc.MaxPhotoBytes + 1, Data: jpg},
			file("empty.jpg", nil), {Name: "cut.jpg", Size: 100, Data: jpg}}, 0, []string{"photos.1", "photos.2", "photos.3", "photos.4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := sc.ValidatePhotos(tc.files, tc.existing)
			var fields []string
			for _, e := range sc.AsErrors(err) {
				require.Equal(t, sc.EINVALID, e.Code)
				fields = append(fields, e.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}
}
