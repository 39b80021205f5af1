"""The probe: runs a site's checks on its own clock and sends the results to its own Redis stream.

Installed from the same wheel as the agent (`netmon-probe`); it imports nothing of the
server and holds no database URL and no SECRET_KEY, only its own Redis user.
"""
