"""The waiting-room display face: the TV screen of calls and its voice."""
