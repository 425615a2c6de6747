package resolvers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secondchance/secondchance/graph"
)

// TestEveryDomainCodeIsAUserErrorCode reads the error codes the domain defines (the E*
// constants of the root package) and fails unless each that can become a userError is a value
// of the UserErrorCode enum: a client must be able to decode every code the server sends.
func TestEveryDomainCodeIsAUserErrorCode(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../*.go")
	require.NoError(t, err)
	name := regexp.MustCompile(`^E[A-Z]+$`)
	var codes []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if !name.MatchString(id.Name) || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					codes = append(codes, v)
				}
			}
			return true
		})
	}
	require.Contains(t, codes, "ALREADY_VOID", "the scan finds the codes")
	for _, c := range codes {
		if slices.Contains(topLevelCodes, c) {
			continue
		}
		require.True(t, graph.UserErrorCode(c).IsValid(), "the domain's code %s is not in the UserErrorCode enum", c)
	}
}
