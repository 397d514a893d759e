"""The employees' page forms: they shape input for the booking services, which hold every rule."""
