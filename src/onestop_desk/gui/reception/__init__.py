"""Reception at the counter: log-in, citizen identification, procedure, guided form, checklist."""
