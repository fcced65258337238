package main

import (
	"net"
	"testing"
)

// Passkeys need a domain as relying party: a loopback listener is published
// as localhost, any other address as it is.
func TestDefaultBaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://localhost:8080"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 9000}, "http://localhost:9000"},
		{&net.TCPAddr{IP: net.IPv4(192, 0, 2, 10), Port: 8080}, "http://192.0.2.10:8080"},
	} {
		if got := defaultBaseURL(tc.addr); got != tc.want {
			t.Errorf("defaultBaseURL(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
