package money

import (
	"fmt"
	"testing"
)

func TestParseAndString(t *testing.T) {
	t.Parallel()
	cases := map[string]int64{"12.50": 1250, "12.5": 1250, "0.10": 10, "9999": 999900, "-3.01": -301, "0": 0}
	for in, want := range cases {
		a, err := Parse(in, "CHF")
		if err != nil || a.Minor != want {
			t.Errorf("Parse(%q) = %v, %v; want %d", in, a.Minor, err, want)
		}
	}
	for _, in := range []string{"", "1.234", "1,50", "abc", ".5", "1e3", "--1"} {
		if _, err := Parse(in, "CHF"); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
	if _, err := Parse("1", "USD"); err == nil {
		t.Error("unsupported currency accepted")
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 99, 100, 123456789} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		if n > 1e15 || n < -1e15 {
			return
		}
		a := Amount{Minor: n, Currency: "EUR"}
		b, err := Parse(a.String(), "EUR")
		if err != nil || b != a {
			t.Fatalf("round trip of %d: %q → %v, %v", n, a.String(), b, err)
		}
	})
}

func ExampleAmount_String() {
	fmt.Println(Amount{Minor: 1250, Currency: "CHF"})
	// Output: 12.50
}
