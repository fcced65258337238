package api

// declareAuthenticator declares the API of phones and native apps acting as
// authenticators (SEC-3, SEC-4).
func (s *server) declareAuthenticator() {}
