package slug

import "testing"

func TestMake(t *testing.T) {
	cases := map[string]string{
		"Hello, World!":            "hello-world",
		"  Multi-stage   builds  ": "multi-stage-builds",
		"BuildKit v0.8":            "buildkit-v0-8",
		"":                         "",
		"---":                      "",
	}
	for in, want := range cases {
		if got := Make(in); got != want {
			t.Errorf("Make(%q) = %q, want %q", in, got, want)
		}
	}
}
