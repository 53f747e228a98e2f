"""Domain logic of the hall: queueing, appointments, duty, visits, KPIs. No Flask here."""
