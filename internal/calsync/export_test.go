package calsync

// DecodedObjects counts the calendar objects the service has decoded.
func (s *Service) DecodedObjects() int64 { return s.decodedObjects.Load() }
