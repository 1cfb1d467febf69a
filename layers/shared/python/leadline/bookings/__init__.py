"""The Bookings inbox: leads from partners and the website, waiting to be converted into jobs or dismissed."""
