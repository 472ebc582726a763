"""The content program admins edit: questions, weights, result texts. Installed as bot.conversations."""
