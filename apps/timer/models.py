# The timer has no table of its own: a running timer is a ClockedTime whose end_time is null.
