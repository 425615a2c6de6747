package http_test

import (
	"log/slog"
	"os"
	"testing"

	"github.com/secondchance/secondchance/http/apitest"
)

// The server and its GraphQL client come from apitest, shared with the command's tests.
type (
	testBundle  = apitest.Bundle
	gqlResponse = apitest.Response
)

var (
	get          = apitest.Get
	fixtureBatch = apitest.FixtureBatch
	pdfText      = apitest.PDFText

	decodeBase64Lines = apitest.DecodeBase64Lines
	waitFor           = apitest.WaitFor
	startSMTP         = apitest.StartSMTP
)

func setup(t testing.TB) *testBundle { return apitest.New(t) }

// TestMain keeps the access log out of test output; failures are shown by assertions.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	os.Exit(m.Run())
}

func ptr[T any](v T) *T { return &v }
