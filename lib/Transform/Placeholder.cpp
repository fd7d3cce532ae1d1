// Intentionally empty until the first transform lands.
