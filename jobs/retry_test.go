package jobs_test

import (
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/jobs"
)

// TestMailRetries pins the backoff of both mail jobs: doubling from the base, capped at an
// hour, where River's default would wait attempt⁴ seconds (over 2 h at attempt 10).
func TestMailRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{"FirstDefault", 0, 1, 30 * time.Second},
		{"SecondDefault", 0, 2, time.Minute},
		{"SixthDefault", 0, 6, 16 * time.Minute},
		{"CappedAtAnHour", 0, 8, time.Hour},
		{"StaysCapped", 0, 25, time.Hour},
		{"ZeroAttempt", 0, 0, 30 * time.Second},
		{"OwnBase", time.Second, 3, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, jobs.MailRetryDelay(tt.base, tt.attempt))
			for _, next := range []func() time.Time{
				func() time.Time {
					w := &jobs.SendCertificatesWorker{RetryBase: tt.base}
					return w.NextRetry(&river.Job[jobs.SendCertificatesArgs]{JobRow: jobRow(tt.attempt)})
				},
				func() time.Time {
					w := &jobs.SendDigestsWorker{RetryBase: tt.base}
					return w.NextRetry(&river.Job[jobs.SendDigestsArgs]{JobRow: jobRow(tt.attempt)})
				},
			} {
				before := time.Now()
				at := next()
				require.False(t, at.Before(before.Add(tt.want)))
				require.False(t, at.After(time.Now().Add(tt.want)))
			}
		})
	}
}

func jobRow(attempt int) *rivertype.JobRow { return &rivertype.JobRow{Attempt: attempt} }
