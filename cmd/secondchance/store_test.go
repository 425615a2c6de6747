package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStoreCommands(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	code, out, errOut := run(t, tb.DBURL, "store", "create", "--code", "KC1", "--name", "Kansas City Thrift", "--recipient", "Dock 4",
		"--line1", "100 Grand Blvd", "--city", "Kansas City", "--region", "MO", "--postal-code", "64106", "--country", "US")
	require.Equal(t, exitOK, code, errOut)
	require.Equal(t, "created KC1: Kansas City Thrift, Dock 4, 100 Grand Blvd, Kansas City, MO 64106, US\n", out)

	code, out, errOut = run(t, tb.DBURL, "store", "update", "KC1", "--name", "KC Thrift")
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "updated KC1: KC Thrift, Dock 4")

	code, out, _ = run(t, tb.DBURL, "store", "list")
	require.Equal(t, exitOK, code)
	require.Regexp(t, `(?m)^KC1\s+KC Thrift\s+Dock 4`, out)
	require.Regexp(t, `(?m)^SCS\s+The Second Chance Store\s+`, out)

	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"ErrCodeTaken", []string{"store", "create", "--code", "KC1", "--name", "x", "--recipient", "x", "--line1", "x", "--city", "x", "--region", "x", "--postal-code", "x", "--country", "US"}, exitError, "code: a store with this code already exists"},
		{"ErrMissing", []string{"store", "create", "--code", "KC2"}, exitError, "name: name is required"},
		{"ErrUpdateWhich", []string{"store", "update", "--name", "x"}, exitUsage, "code of the store"},
		{"ErrUpdateUnknown", []string{"store", "update", "NOPE", "--name", "x"}, exitError, "NOT_FOUND"},
		{"ErrSubcommand", []string{"store", "delete"}, exitUsage, "delete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tb.DBURL, tc.args...)
			require.Equal(t, tc.code, code, errOut)
			require.Contains(t, errOut, tc.msg)
		})
	}
}
