"""Electronic digital signatures (EDS) of the NCA RK: the statement a signer signs, its
verification (CMS, the certificate path to a configured trust anchor, revocation by OCSP
or CRL), and the evidence kept with each signature, encrypted at rest."""
