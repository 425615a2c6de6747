package main

import (
	"context"
)

func (m *Main) importFiles(ctx context.Context, args []string) error {
	return usageError{"import is not built yet"}
}
