"""Roles, permissions, password policy and the portal's security manager."""
