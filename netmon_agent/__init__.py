"""The NetWorkMonitor agent: samples the host it runs on and streams the frames to Redis.

It needs nothing but a Redis URL with its own credentials (`manage.py agents add NAME`
prints it). It imports nothing of the server: no Django, no database driver.
"""
