package db

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

func TestCursorsNameTheirList(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 26, 14, 3, 0, 123000000, time.UTC)
	raw := func(s string) *string { c := base64.RawURLEncoding.EncodeToString([]byte(s)); return &c }
	str := func(s string) *string { return &s }
	orders := timeCursor(listOrders, at, 42)
	require.Equal(t, *raw("orders\x1f2026-11-26T14:03:00.123Z\x1f42"), orders, "the documented encoding")
	tampered := []byte(orders)
	tampered[3] ^= 0x20 // one character changed: the name no longer reads "orders"

	for _, tc := range []struct {
		name  string
		l     list
		after *string
	}{
		{"OK no cursor", listReports, nil},
		{"OK own list", listOrders, &orders},
		{"ErrOrdersCursorOnReports", listReports, &orders},
		{"ErrReportsCursorOnOrders", listOrders, str(timeCursor(listReports, at, 42))},
		{"ErrSellersCursorOnBuyers", listBuyers, str(idCursor(listSellers, 42))},
		{"ErrTampered", listOrders, str(string(tampered))},
		{"ErrWithoutListName", listOrders, raw("2026-11-26T14:03:00.123Z\x1f42")},
		{"ErrExtraPart", listOrders, raw("orders\x1f2026-11-26T14:03:00.123Z\x1f42\x1f1")},
		{"ErrNotATime", listOrders, raw("orders\x1fyesterday\x1f42")},
		{"ErrNotAnID", listOrders, raw("orders\x1f2026-11-26T14:03:00.123Z\x1fx")},
		{"ErrNotBase64", listOrders, str("xyz!")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, afterTime, afterID, err := timePage(tc.l, sc.PageArgs{After: tc.after})
			if tc.name[:2] == "OK" {
				require.NoError(t, err)
				if tc.after != nil {
					require.True(t, at.Equal(*afterTime))
					require.EqualValues(t, 42, afterID)
				}
				return
			}
			var e *sc.Error
			require.True(t, errors.As(err, &e), "%v", err)
			require.Equal(t, sc.EINVALID, e.Code)
			require.Equal(t, "after", e.Field)
		})
	}
	t.Run("ErrTimeCursorOnIDList", func(t *testing.T) {
		t.Parallel()
		_, _, err := idPage(listOrders, sc.PageArgs{After: &orders})
		require.Equal(t, sc.EINVALID, sc.ErrorCode(err))
		_, id, err := idPage(listSellers, sc.PageArgs{After: str(idCursor(listSellers, 7))})
		require.NoError(t, err)
		require.EqualValues(t, 7, *id)
	})
}
