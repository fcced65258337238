package api

// declarePasskeys declares the passkey routes of the profile.
func (s *server) declarePasskeys() {}
