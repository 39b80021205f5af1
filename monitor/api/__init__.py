"""The REST API: hosts, checks and alert rules to manage; results and alert history to read."""
