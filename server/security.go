package main

import (
	"net/http"
	"strings"
)

// securityHeaders is what the explorer's pages are served with: a content
// security policy that allows only the bundled assets (GraphiQL needs its
// inline styles and eval-free scripts from our own origin), frame-ancestors
// set by -frame-ancestors so that the pages can be embedded where the
// operator says and nowhere else, and no MIME sniffing or referrer leaks.
func securityHeaders(frameAncestors string, next http.Handler) http.Handler {
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"frame-ancestors " + frameAncestors,
	}, "; ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if frameAncestors == "'none'" {
			h.Set("X-Frame-Options", "DENY") // for browsers without CSP frame-ancestors
		}
		next.ServeHTTP(w, r)
	})
}
